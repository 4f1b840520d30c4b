# Kafka Connect (the broker's image and version) with the Debezium PostgreSQL connector fetched from Maven Central
# by the same pom as scripts/stack uses (scripts/connect/plugin.pom.xml).
FROM maven:3.9.9-eclipse-temurin-17 AS plugins
COPY scripts/connect/plugin.pom.xml /build/pom.xml
RUN mvn -q -B -f /build/pom.xml org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory=/plugins/debezium-postgres \
 && rm -f /plugins/debezium-postgres/connect-api-*.jar /plugins/debezium-postgres/kafka-clients-*.jar
FROM apache/kafka:3.9.1
COPY --from=plugins /plugins /opt/connect-plugins
COPY ops/connect/worker.properties /etc/connect/worker.properties
EXPOSE 8083
ENTRYPOINT ["/opt/kafka/bin/connect-distributed.sh", "/etc/connect/worker.properties"]
