# Flink with the preprocess job jar in usrlib, for the Flink Kubernetes Operator's FlinkDeployment:
#   docker build -f deploy/docker/preprocess-job.Dockerfile -t mnpipe/preprocess-job:0.1.0 .
FROM flink:2.2.1-java17
RUN apt-get update && apt-get install -y --no-install-recommends libturbojpeg0 && rm -rf /var/lib/apt/lists/*
COPY deploy/target/flink-jobs/preprocess-job.jar /opt/flink/usrlib/preprocess-job.jar
