package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstRenderTest {

  @TempDir
  Path root;

  @Test
  void shouldTakeTheRenderedAtOfTheJsonLineAmongOtherOutput() {
    String printed = "loading http://127.0.0.1:8080 ...\nnot rendered yet\n{\"renderedAt\": 1764650000123}\n";
    assertThat(FirstRender.parse(printed)).hasValue(1764650000123L);
  }

  @Test
  void shouldFindNoRenderWhenTheScriptPrintedNone() {
    assertThat(FirstRender.parse("timed out after 120000 ms\n")).isEmpty();
  }

  @Test
  void shouldSayWhyWhenTheScriptIsMissing() throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    Path node = Files.createFile(bin.resolve("node"));
    node.toFile().setExecutable(true);
    Path chromium = Files.createFile(root.resolve("chromium"));
    chromium.toFile().setExecutable(true);
    Map<String, String> env = Map.of("PATH", bin.toString(), "ORCA_CHROMIUM", chromium.toString());

    assertThat(FirstRender.unavailable(root, env)).hasValue(FirstRender.SCRIPT + " is missing");

    Files.createDirectories(root.resolve(FirstRender.SCRIPT).getParent());
    Files.writeString(root.resolve(FirstRender.SCRIPT), "");
    assertThat(FirstRender.unavailable(root, env)).isEmpty();
  }

  @Test
  void shouldSayWhyWhenNodeIsNotOnThePath() {
    assertThat(FirstRender.unavailable(root, Map.of("PATH", root.toString()))).hasValue("node is not on PATH");
  }
}
