package io.mnpipe.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch side of a comparison, as a process: {@code bench/pytorch/peer.py CASE ...} started
 * once, set up and warmed up, then asked for one timed round at a time, so that its rounds can
 * alternate with ours. Its stderr goes to a log file, whose tail an error quotes.
 */
final class PytorchPeer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final Path log;
  private final JsonNode ready;

  /** Starts {@code python script args...} and waits until it has set up and warmed up. */
  PytorchPeer(Path python, Path script, List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
    command.addAll(args);
    this.log = log;
    // The environment is ours: the same LD_PRELOAD (tcmalloc) and OpenMP settings as this JVM's libtorch.
    this.process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    JsonNode first = line(String.join(" ", command));
    if (!first.has("ready")) {
      throw failure("said " + first + " instead of being ready");
    }
    this.ready = first.get("ready");
  }

  /** What the peer reported once set up: model, parameters, torch version, threads. */
  JsonNode ready() {
    return ready;
  }

  /** One timed round: images per second. */
  double round() throws IOException {
    in.write("round\n");
    in.flush();
    JsonNode r = line("a round");
    if (!r.has("images_per_s")) {
      throw failure("answered a round with " + r);
    }
    return r.get("images_per_s").asDouble();
  }

  private JsonNode line(String what) throws IOException {
    String s = out.readLine();
    if (s == null) {
      throw failure("ended (exit " + waitExit() + ") during " + what);
    }
    return JSON.readTree(s);
  }

  private int waitExit() {
    try {
      return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private IllegalStateException failure(String what) {
    String tail = "";
    try {
      List<String> lines = Files.readAllLines(log);
      tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (IOException e) {
      tail = "(no log: " + e.getMessage() + ")";
    }
    return new IllegalStateException("the PyTorch peer " + what + "; its stderr (" + log + "):\n  " + tail);
  }

  @Override
  public void close() throws IOException {
    try {
      in.close(); // end of input ends it
    } catch (IOException e) {
      // already gone
    }
    if (waitExit() == -1) {
      process.destroyForcibly();
    }
  }
}
