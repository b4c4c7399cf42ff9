package io.mnpipe.deploy.flink;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * The test JVM's classpath in, the classpath of a Flink distribution's lib/ out: Flink's own
 * modules, the libraries they need and log4j, as Maven resolved them, and nothing else. No
 * connector, format or pipeline module is on it, so a job only runs if its jar brings those.
 */
final class FlinkLibClasspath {
  /** Flink modules that are no part of a distribution: a job bundles them. */
  private static final Set<String> NOT_IN_DIST = Set.of("flink-connector-kafka", "flink-avro");
  /**
   * Groups of the libraries Flink's modules depend on (flink-dist shades them in; see
   * {@code dependency:list} of flink-clients, flink-streaming-java, flink-connector-base and
   * flink-runtime-web) and of log4j, which lib/ holds beside flink-dist.
   */
  private static final List<String> LIBRARY_GROUPS = List.of("org.apache.logging.log4j", "org.slf4j",
      "com.esotericsoftware", "org.objenesis", "org.javassist", "org.snakeyaml", "org.apache.commons", "commons-cli",
      "commons-collections", "commons-io", "com.google.code.findbugs", "org.xerial.snappy", "at.yawk.lz4", "org.lz4",
      "tools.profiler");

  private FlinkLibClasspath() {}

  static String get() {
    List<String> lib = new ArrayList<>();
    for (Path entry : testClasspath()) {
      if (entry.toString().endsWith(".jar") && inDistribution(entry)) {
        lib.add(entry.toString());
      }
    }
    return String.join(File.pathSeparator, lib);
  }

  /** Decides by the local repository's layout: GROUP/PATH/ARTIFACT/VERSION/ARTIFACT-VERSION.jar. */
  private static boolean inDistribution(Path jar) {
    Path versionDir = jar.getParent();
    if (versionDir == null || versionDir.getParent() == null || versionDir.getParent().getParent() == null) {
      return false;
    }
    String artifact = versionDir.getParent().getFileName().toString();
    Path groupDir = versionDir.getParent().getParent();
    if (groupDir.endsWith(Path.of("org", "apache", "flink"))) {
      return !NOT_IN_DIST.contains(artifact) && !artifact.startsWith("flink-test-utils");
    }
    return LIBRARY_GROUPS.stream().anyMatch(g -> groupDir.endsWith(Path.of(g.replace('.', '/'))));
  }

  /**
   * java.class.path; a manifest-only jar as its one entry (failsafe's booter jar, IDEs' shortened
   * command lines) is replaced by the entries of its Class-Path.
   */
  private static List<Path> testClasspath() {
    List<Path> out = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      out.add(Path.of(e).toAbsolutePath());
    }
    Path only = out.get(0);
    String manifestPath = out.size() == 1 && only.toString().endsWith(".jar") ? manifestClassPath(only) : null;
    if (manifestPath == null) {
      return out;
    }
    List<Path> expanded = new ArrayList<>();
    for (String ref : manifestPath.trim().split("\\s+")) {
      expanded.add(Path.of(only.toUri().resolve(URI.create(ref))));
    }
    return expanded;
  }

  private static String manifestClassPath(Path jar) {
    try (JarFile f = new JarFile(jar.toFile())) {
      return f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the test classpath entry " + jar, e);
    }
  }
}
