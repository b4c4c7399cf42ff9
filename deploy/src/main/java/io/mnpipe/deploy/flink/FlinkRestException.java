package io.mnpipe.deploy.flink;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A REST call Flink refused: the message is the root cause in one line, then Flink's
 * {@code errors} array without stack frames (the frames stay in {@link #errors()}).
 */
public final class FlinkRestException extends RuntimeException {
  private static final Pattern EXCEPTION_PREFIX = Pattern.compile("^[\\w$.]+(?:Exception|Error|Throwable): (.+)$");
  private static final Pattern FRAME = Pattern.compile("^\\s+(?:at |\\.\\.\\. \\d+ more)");

  private final List<String> errors;

  FlinkRestException(String message, List<String> errors) {
    super(message);
    this.errors = List.copyOf(errors);
  }

  /** Flink's errors array as it came, stack traces included. */
  public List<String> errors() {
    return errors;
  }

  static FlinkRestException of(String call, int status, JsonNode answer, String body) {
    List<String> errors = new ArrayList<>();
    if (answer != null && answer.path("errors").isArray()) {
      answer.path("errors").forEach(e -> errors.add(e.asText()));
    } else if (body != null && !body.isBlank()) {
      errors.add(body.length() > 500 ? body.substring(0, 500) + "..." : body);
    }
    StringBuilder msg = new StringBuilder("Flink refused ").append(call).append(" (HTTP ").append(status).append(')');
    if (errors.isEmpty()) {
      return new FlinkRestException(msg.toString(), errors);
    }
    msg.append(": ").append(rootCause(String.join("\n", errors))).append("\nFlink's errors:");
    for (String e : errors) {
      e.lines().filter(l -> !l.isBlank() && !FRAME.matcher(l).find()).forEach(l -> msg.append("\n  ").append(l.strip()));
    }
    return new FlinkRestException(msg.toString(), errors);
  }

  /** The message of a stack trace's innermost cause (its last "Caused by:"), else of its first line. */
  static String rootCause(String trace) {
    String line = trace.strip().lines().findFirst().orElse("");
    for (String l : trace.lines().toList()) {
      if (l.strip().startsWith("Caused by: ")) {
        line = l.strip().substring("Caused by: ".length());
      }
    }
    Matcher m = EXCEPTION_PREFIX.matcher(line);
    return m.matches() ? m.group(1) : line;
  }
}
