package io.squall.locks;

/**
 * What {@link Semaphore#acquire()} and {@link Lock#acquire()} complete with: closing it releases
 * what was acquired, once. It fits try-with-resources around the work done while holding it; use
 * either it or the primitive's {@code release()}, not both. Loop thread only.
 *
 * <pre>{@code
 * lock.acquire().thenCompose(held -> work().whenComplete((v, e) -> held.close()));
 * }</pre>
 */
public final class Releaser implements AutoCloseable {
  private final Runnable release;
  private boolean released;

  Releaser(Runnable release) {
    this.release = release;
  }

  /** Releases, the first time only; later calls do nothing. */
  @Override
  public void close() {
    if (!released) {
      release.run();
      released = true;
    }
  }

  /** Whether {@link #close()} has released. */
  public boolean isReleased() {
    return released;
  }
}
