package io.mnpipe.deploy.flink;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A work directory in, a real standalone Flink session cluster on 127.0.0.1 out: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}),
 * each in a JVM of its own, started as Flink's bin/ scripts start them (config.yaml, the memory
 * flags BashJavaUtils would print, log4j writing to files) with a distribution's lib/ as classpath
 * ({@link FlinkLibClasspath}). Tests get one through {@link StandaloneFlinkClusterExtension}.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {
  static final int SLOTS = 2;
  private static final String JOB_MANAGER = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

  private final Path dir;
  private final URI rest;
  private final List<Process> processes = new ArrayList<>();

  private StandaloneFlinkCluster(Path dir, URI rest) {
    this.dir = dir;
    this.rest = rest;
  }

  /** Starts both JVMs and returns once the REST API reports a TaskManager with all its slots. */
  public static StandaloneFlinkCluster start(Path workDir) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(workDir).toAbsolutePath();
    int restPort = freePort();
    Path conf = writeConfig(dir, restPort);
    // What bin/jobmanager.sh and bin/taskmanager.sh get from BashJavaUtils GET_JM/TM_RESOURCE_PARAMS.
    Configuration c = GlobalConfiguration.loadConfiguration(conf.toString());
    JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(c);
    TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(c);
    StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(dir, URI.create("http://127.0.0.1:" + restPort));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    cluster.launch("jobmanager", JobManagerProcessUtils.generateJvmParametersStr(jm, c), JOB_MANAGER,
        JobManagerProcessUtils.generateDynamicConfigsStr(jm));
    cluster.launch("taskmanager", ProcessMemoryUtils.generateJvmParametersStr(tm), TASK_MANAGER,
        TaskExecutorProcessUtils.generateDynamicConfigsStr(tm));
    try {
      cluster.awaitTaskManager(90_000);
    } catch (RuntimeException | InterruptedException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** conf/config.yaml (Flink 2 reads no flink-conf.yaml) and conf/log4j.properties; returns conf/. */
  private static Path writeConfig(Path dir, int restPort) throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("jobmanager.rpc.address", "127.0.0.1");
    settings.put("jobmanager.rpc.port", String.valueOf(freePort()));
    settings.put("jobmanager.bind-host", "127.0.0.1");
    settings.put("rest.address", "127.0.0.1");
    settings.put("rest.bind-address", "127.0.0.1");
    settings.put("rest.port", String.valueOf(restPort));
    settings.put("blob.server.port", String.valueOf(freePort()));
    settings.put("taskmanager.host", "127.0.0.1");
    settings.put("taskmanager.bind-host", "127.0.0.1");
    settings.put("taskmanager.numberOfTaskSlots", String.valueOf(SLOTS));
    settings.put("parallelism.default", "1");
    settings.put("jobmanager.memory.heap.size", "512m");
    settings.put("taskmanager.memory.process.size", "1536m");
    settings.put("taskmanager.memory.managed.fraction", "0.1"); // no RocksDB, no batch operators
    settings.put("restart-strategy.type", "none"); // a failing test job fails at once
    settings.put("web.upload.dir", Files.createDirectories(dir.resolve("upload")).toString());
    settings.put("web.tmpdir", Files.createDirectories(dir.resolve("web")).toString());
    settings.put("io.tmp.dirs", Files.createDirectories(dir.resolve("tmp")).toString());
    settings.put("blob.storage.directory", Files.createDirectories(dir.resolve("blobs")).toString());
    StringBuilder yaml = new StringBuilder();
    settings.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
    Files.writeString(conf.resolve(GlobalConfiguration.FLINK_CONF_FILENAME), yaml);
    Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
        "rootLogger.level = INFO", "rootLogger.appenderRef.file.ref = File",
        "appender.file.name = File", "appender.file.type = File", "appender.file.fileName = ${sys:log.file}",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} [%t] - %m%n",
        "logger.kafka.name = org.apache.kafka", "logger.kafka.level = WARN", ""));
    return conf;
  }

  public URI restUrl() {
    return rest;
  }

  private void launch(String name, String memoryFlags, String mainClass, String dynamicConfig) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(Arrays.asList(memoryFlags.trim().split("\\s+")));
    cmd.addAll(addOpens());
    cmd.addAll(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"), "-Dlog.file=" + dir.resolve(name + ".log"),
        "-Dlog4j.configurationFile=" + dir.resolve("conf/log4j.properties").toUri(),
        "-cp", FlinkLibClasspath.get(), mainClass, "--configDir", dir.resolve("conf").toString()));
    cmd.addAll(Arrays.asList(dynamicConfig.trim().split("\\s+")));
    Files.writeString(dir.resolve(name + ".cmd"), String.join(" ", cmd) + "\n");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".out").toFile());
    pb.environment().put("FLINK_PLUGINS_DIR", Files.createDirectories(dir.resolve("plugins")).toString());
    processes.add(pb.start());
  }

  /** The --add-opens Flink needs on Java 17: the parent pom's jvm.opens, which the test JVM runs with too. */
  private static List<String> addOpens() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens")).toList();
  }

  private void awaitTaskManager(long timeoutMs) throws InterruptedException {
    FlinkRestClient client = new FlinkRestClient(rest);
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "no answer yet";
    while (System.currentTimeMillis() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a Flink JVM exited with " + p.exitValue() + "\n" + logTails());
        }
      }
      try {
        FlinkRestClient.Overview o = client.overview();
        if (o.taskManagers() >= 1 && o.slotsTotal() >= SLOTS) {
          return;
        }
        last = o.toString();
      } catch (RuntimeException e) {
        last = e.getMessage();
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("Flink at " + rest + " not ready in " + timeoutMs + " ms (" + last + ")\n"
        + logTails());
  }

  /** The last lines of every JVM's log and console output, with the paths of the whole files. */
  public String logTails() {
    StringBuilder s = new StringBuilder();
    for (String f : List.of("jobmanager.log", "jobmanager.out", "taskmanager.log", "taskmanager.out")) {
      Path p = dir.resolve(f);
      s.append("==== ").append(p).append(" (last 80 lines) ====\n");
      try {
        List<String> lines = Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of("(none)");
        lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(l -> s.append(l).append('\n'));
      } catch (IOException e) {
        s.append("(unreadable: ").append(e.getMessage()).append(")\n");
      }
    }
    return s.toString();
  }

  /** Stops both JVMs as bin/stop-cluster.sh does (SIGTERM), forcibly after 15 s. */
  @Override
  public synchronized void close() {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
