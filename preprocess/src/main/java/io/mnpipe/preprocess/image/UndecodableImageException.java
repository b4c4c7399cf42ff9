package io.mnpipe.preprocess.image;

/** An input that is not a decodable image; the message is the reason a dead letter carries. */
public final class UndecodableImageException extends Exception {
  public UndecodableImageException(String reason) {
    super(reason);
  }

  public UndecodableImageException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
