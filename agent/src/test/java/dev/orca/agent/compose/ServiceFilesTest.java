package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceFilesTest {

  private static final ComposeFile STACK = ComposeFile.parse("""
      services:
        web:
          image: x
          env_file: [web.env]
        proxy:
          image: x
          volumes:
            - ./conf/proxy:/etc/proxy:ro
            - data:/data
        api:
          image: x
          configs: [api]
          secrets:
            - source: token
              target: /run/secrets/token
        worker:
          extends:
            file: common.yaml
            service: base
        db:
          image: x
          volumes: ['/srv/db:/var/lib/db']
      configs:
        api:
          file: ./conf/api.yaml
      secrets:
        token:
          file: ./secrets/token
      """);

  @Test
  void shouldLabelEachServiceWithADigestOfTheFilesItUses() {
    Map<String, byte[]> files = Map.of("web.env", bytes("A=1\n"), "conf/proxy/site.conf", bytes("site\n"),
        "conf/api.yaml", bytes("api\n"), "secrets/token", bytes("t\n"), "common.yaml", bytes("services: {}\n"));

    Map<String, Map<String, String>> labels = ServiceFiles.labels(STACK, files);

    assertThat(labels).containsOnlyKeys("web", "proxy", "api", "worker");
    assertThat(labels.values()).allSatisfy(l -> assertThat(l).containsOnlyKeys(ServiceFiles.LABEL));
    assertThat(labels.get("web")).isNotEqualTo(labels.get("proxy"));
  }

  @Test
  void shouldChangeTheLabelOfOnlyTheServicesWhoseFilesChanged() {
    Map<String, byte[]> before = Map.of("web.env", bytes("A=1\n"), "conf/proxy/site.conf", bytes("v1\n"));
    Map<String, byte[]> after = Map.of("web.env", bytes("A=1\n"), "conf/proxy/site.conf", bytes("v2\n"));

    Map<String, Map<String, String>> old = ServiceFiles.labels(STACK, before);
    Map<String, Map<String, String>> changed = ServiceFiles.labels(STACK, after);

    assertThat(changed.get("web")).isEqualTo(old.get("web"));
    assertThat(changed.get("proxy")).isNotEqualTo(old.get("proxy"));
    assertThat(changed.get("worker")).as("it may use any file").isNotEqualTo(old.get("worker"));
  }

  @Test
  void shouldLabelNothingWhenTheStackCarriesNoFiles() {
    assertThat(ServiceFiles.labels(STACK, Map.of())).isEmpty();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
