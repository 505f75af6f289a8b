package dev.orca.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageReferencesTest {

  @Test
  void shouldReadTheImagesOfAComposeFileAsDockerDoes() {
    assertThat(ImageReferences.used("""
        services:
          web: {image: "ghcr.io/acme/web:1"}
          cache: {image: redis}
          built: {build: .}
        """)).contains(List.of(new ImageReferences.Reference("ghcr.io/acme/web", "1"),
        new ImageReferences.Reference("docker.io/library/redis", "latest")));
  }

  @Test
  void shouldNotKnowTheImagesOfAComposeFileThatIncludesOthers() {
    String compose = """
        include:
          - other/compose.yaml
        services:
          web: {image: "ghcr.io/acme/web:1"}
        """;
    assertThat(ImageReferences.used(compose)).isEmpty();
    assertThat(ImageReferences.unused(List.of("ghcr.io/acme/other:1"), compose)).isEmpty();
  }

  @Test
  void shouldNotKnowTheImageOfAServiceThatExtendsAnotherWithoutItsOwn() {
    String compose = """
        services:
          web:
            extends: {file: common.yaml, service: web}
          cache: {image: redis}
        """;
    assertThat(ImageReferences.used(compose)).isEmpty();
    assertThat(ImageReferences.unused(List.of("ghcr.io/acme/web:2"), compose)).isEmpty();
  }

  @Test
  void shouldKnowTheImageOfAServiceThatExtendsAnotherButNamesItsOwn() {
    String compose = """
        services:
          web:
            extends: {file: common.yaml, service: web}
            image: ghcr.io/acme/web:1
        """;
    assertThat(ImageReferences.used(compose)).contains(List.of(new ImageReferences.Reference("ghcr.io/acme/web", "1")));
    assertThat(ImageReferences.unused(List.of("ghcr.io/acme/other:1"), compose)).contains("ghcr.io/acme/other:1");
  }
}
