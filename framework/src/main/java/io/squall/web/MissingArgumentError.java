package io.squall.web;

/** A required argument was not sent: a 400 (Tornado's {@code MissingArgumentError}). */
public class MissingArgumentError extends HttpError {
  private static final long serialVersionUID = 1L;
  private final String argument;

  public MissingArgumentError(String argument) {
    super(400, "missing argument " + argument, "Missing argument " + argument);
    this.argument = argument;
  }

  /** The name of the missing argument. */
  public String argument() {
    return argument;
  }
}
