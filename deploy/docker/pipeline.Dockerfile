# The pipeline CLI (train, evaluate, publish, topics, ...) as an image: mnpipe/pipeline:0.1.0.
# Build from the repository root after ./mvnw -B package -DskipTests:
#   docker build -f deploy/docker/pipeline.Dockerfile -t mnpipe/pipeline:0.1.0 .
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends libtcmalloc-minimal4 libturbojpeg0 \
    && rm -rf /var/lib/apt/lists/*
COPY deploy/target/pipeline.jar /opt/mnpipe/pipeline.jar
COPY deploy/target/lib /opt/mnpipe/lib
ENV LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 OMP_WAIT_POLICY=PASSIVE
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-Djava.awt.headless=true", \
  "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED", \
  "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", \
  "-jar", "/opt/mnpipe/pipeline.jar"]
