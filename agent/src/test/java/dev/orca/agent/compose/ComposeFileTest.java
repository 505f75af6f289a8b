package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@SuppressWarnings("unchecked")
class ComposeFileTest {

  private static final Map<String, String> LABELS = labels();

  @Test
  void shouldAddLabelsToEveryServiceWhateverFormItsLabelsHave() {
    String yaml = """
        version: "3.8"
        x-common: &common
          restart: unless-stopped
        services:
          web:
            image: nginx
            labels:
              team: core
          worker:
            image: worker
            labels: ["tier=back", "managed_by=someone-else"]
          db:
            image: postgres
            ports: ["5432:5432"]
        volumes:
          data: {}
        """;

    Map<String, Object> out = load(ComposeFile.parse(yaml).withLabels(LABELS));

    assertThat(out).containsKeys("version", "x-common", "volumes");
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) out.get("services");
    assertThat((Map<String, Object>) services.get("web").get("labels"))
        .containsEntry("team", "core").containsEntry("orca-cd.application-id", "app-1")
        .containsEntry("managed_by", "orca-cd");
    assertThat((List<String>) services.get("worker").get("labels"))
        .containsExactly("tier=back", "orca-cd.application-id=app-1", "managed_by=orca-cd");
    assertThat((Map<String, Object>) services.get("db").get("labels")).isEqualTo(LABELS);
    assertThat(services.get("db").get("ports")).isEqualTo(List.of("5432:5432"));
  }

  @Test
  void shouldListTheServices() {
    assertThat(ComposeFile.parse("services:\n  a:\n    image: x\n  b:\n").services()).containsExactly("a", "b");
  }

  @Test
  void shouldRefuseWhatIsNotAComposeFile() {
    assertThatThrownBy(() -> ComposeFile.parse("services: [unclosed"))
        .isInstanceOf(InvalidComposeFileException.class).hasMessageStartingWith("compose file is not valid YAML");
    assertThatThrownBy(() -> ComposeFile.parse("- a\n- b\n"))
        .hasMessage("compose file must be a YAML mapping with a 'services' section");
    assertThatThrownBy(() -> ComposeFile.parse("volumes: {}\n")).hasMessage("compose file has no 'services' mapping");
    assertThatThrownBy(() -> ComposeFile.parse("services:\n  - web\n")).hasMessage("compose file has no 'services' mapping");
    assertThatThrownBy(() -> ComposeFile.parse("services:\n  web: nginx\n")).hasMessage("service 'web' must be a mapping");
    assertThatThrownBy(() -> ComposeFile.parse("services:\n  web:\n    labels: 3\n").withLabels(LABELS))
        .hasMessage("labels of service 'web' must be a mapping or a list");
    assertThatThrownBy(() -> ComposeFile.parse("!!java.io.File x"))
        .isInstanceOf(InvalidComposeFileException.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(String yaml) {
    return (Map<String, Object>) new Yaml().load(yaml);
  }

  private static Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("orca-cd.application-id", "app-1");
    labels.put("managed_by", "orca-cd");
    return labels;
  }
}
