package io.mnpipe.deploy.assets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mnpipe.deploy.cli.PipelineCli;
import io.mnpipe.preprocess.flink.PreprocessMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The compose file, Kubernetes manifests, Dockerfiles, Prometheus config and Grafana provisioning,
 * parsed and checked against what the build produces: image names and versions, command lines
 * (parsed by the real CLIs), metrics ports, mounted paths and the job jar's name.
 */
class DeployAssetsTest {
  private static final Path DEPLOY = Path.of("").toAbsolutePath();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String JOB_JAR = "preprocess-job.jar";

  private static String pom(String tag) throws Exception {
    Matcher m = Pattern.compile("<" + Pattern.quote(tag) + ">([^<]+)</").matcher(Files.readString(DEPLOY.resolve("../pom.xml")));
    assertTrue(m.find(), tag + " in the parent pom");
    return m.group(1);
  }

  private static String projectVersion() throws Exception {
    Matcher m = Pattern.compile("<artifactId>mnpipe-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(DEPLOY.resolve("../pom.xml")));
    assertTrue(m.find());
    return m.group(1).replace("-SNAPSHOT", "");
  }

  private static void checkImage(String image, String where) throws Exception {
    String v = projectVersion();
    if (image.startsWith("mnpipe/")) {
      assertTrue(image.equals("mnpipe/pipeline:" + v) || image.equals("mnpipe/preprocess-job:" + v),
          where + ": image " + image + " is not one the Dockerfiles build for version " + v);
    } else if (image.startsWith("flink:")) {
      assertTrue(image.startsWith("flink:" + pom("flink.version") + "-java17"), where + ": " + image);
    } else if (image.startsWith("apache/kafka:")) {
      assertEquals("apache/kafka:" + pom("kafka.version"), image, where);
    } else {
      assertTrue(image.matches("(prom/prometheus|grafana/grafana):v?\\d+\\.\\d+\\.\\d+"), where + ": unpinned " + image);
    }
  }

  /** Our CLI accepts the arguments, and --metrics-port names the port that is scraped. */
  private static int checkPipelineArgs(List<String> args, String where) {
    try {
      new CommandLine(new PipelineCli()).parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      fail(where + ": `pipeline " + String.join(" ", args) + "` does not parse: " + e.getMessage());
    }
    int i = args.indexOf("--metrics-port");
    assertTrue(i > 0 && args.contains("0.0.0.0"), where + ": metrics port and host 0.0.0.0 must be given");
    return Integer.parseInt(args.get(i + 1));
  }

  private static List<String> strings(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Set<String> scrapeTargets() throws Exception {
    Set<String> targets = new HashSet<>();
    YAML.readTree(DEPLOY.resolve("prometheus/prometheus.yml").toFile()).path("scrape_configs").forEach(job ->
        job.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> targets.add(t.asText()))));
    return targets;
  }

  @Test
  void composeReferencesWhatTheBuildProduces() throws Exception {
    JsonNode services = YAML.readTree(DEPLOY.resolve("docker-compose.yml").toFile()).path("services");
    assertTrue(services.size() >= 7, "kafka, jobmanager, taskmanager, trainer, evaluator, prometheus, grafana");
    Set<String> targets = scrapeTargets();
    for (var it = services.fields(); it.hasNext(); ) {
      var e = it.next();
      String where = "docker-compose.yml service " + e.getKey();
      checkImage(e.getValue().path("image").asText(), where);
      if (e.getValue().path("image").asText().startsWith("mnpipe/pipeline")) {
        int port = checkPipelineArgs(strings(e.getValue().path("command")), where);
        assertTrue(targets.contains(e.getKey() + ":" + port), where + ": prometheus.yml does not scrape "
            + e.getKey() + ":" + port);
      }
      for (JsonNode v : e.getValue().path("volumes")) {
        String host = v.asText().split(":")[0];
        if (host.startsWith("./")) {
          Path p = DEPLOY.resolve(host.substring(2)).normalize();
          boolean buildOutput = host.equals("./target/flink-jobs/" + JOB_JAR);
          assertTrue(buildOutput || Files.exists(p), where + ": mounts " + host + ", which does not exist");
        }
      }
      JsonNode build = e.getValue().path("build");
      if (!build.isMissingNode()) {
        assertTrue(Files.isRegularFile(DEPLOY.resolve(build.path("context").asText()).resolve(
            build.path("dockerfile").asText()).normalize()), where + ": Dockerfile");
      }
    }
    assertTrue(Files.readString(DEPLOY.resolve("pom.xml")).contains("<destFileName>" + JOB_JAR + "</destFileName>"),
        "the build copies the job jar to target/flink-jobs/" + JOB_JAR);
    assertTrue(services.path("jobmanager").path("volumes").get(0).asText().endsWith("/opt/flink/usrlib/" + JOB_JAR + ":ro"));
  }

  @Test
  void kubernetesManifestsReferenceWhatTheBuildProduces() throws Exception {
    int deployments = 0;
    boolean flinkDeployment = false;
    for (Path f : Files.list(DEPLOY.resolve("k8s")).sorted().toList()) {
      for (JsonNode doc : new YAMLMapper().readerFor(JsonNode.class).readValues(f.toFile()).readAll().stream()
          .map(JsonNode.class::cast).toList()) {
        String where = f.getFileName() + " " + doc.path("kind").asText() + " " + doc.path("metadata").path("name").asText();
        switch (doc.path("kind").asText()) {
          case "Deployment" -> {
            deployments++;
            JsonNode pod = doc.path("spec").path("template");
            JsonNode c = pod.path("spec").path("containers").get(0);
            checkImage(c.path("image").asText(), where);
            int port = checkPipelineArgs(strings(c.path("args")), where);
            assertEquals(String.valueOf(port), pod.path("metadata").path("annotations").path("prometheus.io/port").asText(),
                where + ": scrape annotation");
            assertEquals(port, c.path("ports").get(0).path("containerPort").asInt(), where);
            if (c.path("args").get(0).asText().equals("train")) {
              assertEquals("1", c.path("resources").path("limits").path("nvidia.com/gpu").asText(), where + ": GPU");
            }
          }
          case "FlinkDeployment" -> {
            flinkDeployment = true;
            checkImage(doc.path("spec").path("image").asText(), where);
            JsonNode job = doc.path("spec").path("job");
            assertEquals("local:///opt/flink/usrlib/" + JOB_JAR, job.path("jarURI").asText(), where);
            PreprocessMain.checkArgs(strings(job.path("args")).toArray(String[]::new));
            assertEquals("v" + pom("flink.version").replaceFirst("\\.\\d+$", "").replace('.', '_'),
                doc.path("spec").path("flinkVersion").asText(), where);
          }
          case "PersistentVolumeClaim" -> { }
          default -> fail(where + ": unexpected kind");
        }
      }
    }
    assertEquals(2, deployments, "trainer and evaluator");
    assertTrue(flinkDeployment);
    assertTrue(Files.readString(DEPLOY.resolve("docker/preprocess-job.Dockerfile"))
        .contains("COPY deploy/target/flink-jobs/" + JOB_JAR + " /opt/flink/usrlib/" + JOB_JAR));
  }

  @Test
  void grafanaProvisioningPointsAtTheDashboardAndDatasource() throws Exception {
    JsonNode ds = YAML.readTree(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml").toFile());
    String uid = ds.path("datasources").get(0).path("uid").asText();
    JsonNode dash = new ObjectMapper().readTree(DEPLOY.resolve("grafana/dashboards/mnpipe.json").toFile());
    assertFalse(dash.path("panels").isEmpty());
    for (JsonNode p : dash.path("panels")) {
      assertEquals(uid, p.path("datasource").path("uid").asText(), p.path("title").asText());
      assertFalse(p.path("targets").isEmpty(), p.path("title").asText());
    }
    JsonNode provider = YAML.readTree(DEPLOY.resolve("grafana/provisioning/dashboards/mnpipe.yaml").toFile());
    assertEquals("/var/lib/grafana/dashboards", provider.path("providers").get(0).path("options").path("path").asText());
  }
}
