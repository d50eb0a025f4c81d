package io.squall.iostream;

import java.time.Duration;

/**
 * Immutable buffer settings of an {@link IOStream}. Start from {@link #defaults()} and change
 * what you need with the {@code with...} methods, or use a {@link #builder()}.
 *
 * <ul>
 *   <li>{@link #maxBufferSize()} (default 100 MiB): the most bytes of read data a stream buffers.
 *       A pending read that needs more closes the stream with a {@link StreamBufferFullException}
 *       cause; a {@code readBytes(n)} with {@code n} above it fails at once with {@link
 *       UnsatisfiableReadException}.
 *   <li>{@link #maxWriteBufferSize()} (default unlimited, {@link Long#MAX_VALUE}): the most bytes
 *       of written data waiting for the socket. A write that would go beyond it fails with {@link
 *       StreamBufferFullException}, none of its bytes are queued and the stream stays open (as in
 *       Tornado): the caller decides whether to wait and retry or to close.
 *   <li>{@link #readChunkSize()} (default 64 KiB): the most bytes read from the socket at once.
 *   <li>{@link #drainTimeout()} (default 30 s): after the peer closes its side, how long output
 *       still waiting for the socket may take to drain before the stream gives up and closes
 *       with an error (see {@link IOStream}).
 * </ul>
 */
public final class StreamOptions {
  public static final int DEFAULT_MAX_BUFFER_SIZE = 100 * 1024 * 1024;
  public static final int DEFAULT_READ_CHUNK_SIZE = 64 * 1024;
  public static final long UNLIMITED = Long.MAX_VALUE;

  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  private static final StreamOptions DEFAULTS =
      new StreamOptions(
          DEFAULT_MAX_BUFFER_SIZE, UNLIMITED, DEFAULT_READ_CHUNK_SIZE, DEFAULT_DRAIN_TIMEOUT);

  private final int maxBufferSize;
  private final long maxWriteBufferSize;
  private final int readChunkSize;
  private final Duration drainTimeout;

  private StreamOptions(
      int maxBufferSize, long maxWriteBufferSize, int readChunkSize, Duration drainTimeout) {
    if (maxBufferSize <= 0) {
      throw new IllegalArgumentException("maxBufferSize must be positive: " + maxBufferSize);
    }
    if (maxWriteBufferSize < 0) {
      throw new IllegalArgumentException(
          "maxWriteBufferSize must not be negative: " + maxWriteBufferSize);
    }
    if (readChunkSize <= 0) {
      throw new IllegalArgumentException("readChunkSize must be positive: " + readChunkSize);
    }
    this.maxBufferSize = maxBufferSize;
    this.maxWriteBufferSize = maxWriteBufferSize;
    this.readChunkSize = readChunkSize;
    if (drainTimeout.isNegative() || drainTimeout.isZero()) {
      throw new IllegalArgumentException("drainTimeout must be positive: " + drainTimeout);
    }
    this.drainTimeout = drainTimeout;
  }

  /** The defaults: 100 MiB read buffer, unlimited write buffer, 64 KiB read chunks. */
  public static StreamOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public int maxBufferSize() {
    return maxBufferSize;
  }

  /** {@link #UNLIMITED} ({@link Long#MAX_VALUE}) when unbounded. */
  public long maxWriteBufferSize() {
    return maxWriteBufferSize;
  }

  public int readChunkSize() {
    return readChunkSize;
  }

  public Duration drainTimeout() {
    return drainTimeout;
  }

  public StreamOptions withMaxBufferSize(int bytes) {
    return new StreamOptions(bytes, maxWriteBufferSize, readChunkSize, drainTimeout);
  }

  public StreamOptions withMaxWriteBufferSize(long bytes) {
    return new StreamOptions(maxBufferSize, bytes, readChunkSize, drainTimeout);
  }

  public StreamOptions withReadChunkSize(int bytes) {
    return new StreamOptions(maxBufferSize, maxWriteBufferSize, bytes, drainTimeout);
  }

  public StreamOptions withDrainTimeout(Duration timeout) {
    return new StreamOptions(maxBufferSize, maxWriteBufferSize, readChunkSize, timeout);
  }

  @Override
  public String toString() {
    return "StreamOptions[maxBufferSize="
        + maxBufferSize
        + ", maxWriteBufferSize="
        + (maxWriteBufferSize == UNLIMITED ? "unlimited" : String.valueOf(maxWriteBufferSize))
        + ", readChunkSize="
        + readChunkSize
        + ", drainTimeout="
        + drainTimeout
        + "]";
  }

  /** Builds {@link StreamOptions}. */
  public static final class Builder {
    private int maxBufferSize;
    private long maxWriteBufferSize;
    private int readChunkSize;
    private Duration drainTimeout;

    private Builder(StreamOptions from) {
      this.drainTimeout = from.drainTimeout;
      this.maxBufferSize = from.maxBufferSize;
      this.maxWriteBufferSize = from.maxWriteBufferSize;
      this.readChunkSize = from.readChunkSize;
    }

    public Builder maxBufferSize(int bytes) {
      this.maxBufferSize = bytes;
      return this;
    }

    public Builder maxWriteBufferSize(long bytes) {
      this.maxWriteBufferSize = bytes;
      return this;
    }

    public Builder readChunkSize(int bytes) {
      this.readChunkSize = bytes;
      return this;
    }

    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = java.util.Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public StreamOptions build() {
      return new StreamOptions(maxBufferSize, maxWriteBufferSize, readChunkSize, drainTimeout);
    }
  }
}
