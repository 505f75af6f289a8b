package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsolePatternTest {

  @Test
  void shouldColourOnlyOnATerminal() {
    assertThat(ConsolePattern.choose(true, Map.of("TERM", "xterm-256color"))).isEqualTo(ConsolePattern.COLOURED);
    assertThat(ConsolePattern.choose(false, Map.of("TERM", "xterm-256color"))).isEqualTo(ConsolePattern.PLAIN);
  }

  @Test
  void shouldWritePlainTextOnATerminalThatAsksForIt() {
    assertThat(ConsolePattern.choose(true, Map.of("NO_COLOR", "1"))).isEqualTo(ConsolePattern.PLAIN);
    assertThat(ConsolePattern.choose(true, Map.of("TERM", "dumb"))).isEqualTo(ConsolePattern.PLAIN);
    assertThat(ConsolePattern.choose(true, Map.of("NO_COLOR", ""))).isEqualTo(ConsolePattern.COLOURED);
  }

  @Test
  void shouldSeeNoTerminalWithoutAConsole() {
    assertThat(ConsolePattern.isTerminal(null)).isFalse();
  }

  @Test
  void shouldWriteLogLinesWithoutEscapeCodesWhenOutputIsNotATerminal() throws Exception {
    // Under the build, standard output is a pipe: the launcher's own logback.xml must write plain text.
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(ConsolePattern.class.getResource("/logback.xml"));
      context.getLogger("dev.orca.launcher.Main").warn("Data directory: /tmp/x");
    } finally {
      context.stop();
      System.setOut(original);
    }
    String line = captured.toString(StandardCharsets.UTF_8);
    assertThat(line).contains("WARN").contains("dev.orca.launcher.Main").contains("Data directory: /tmp/x")
        .doesNotContain("\u001b[");
  }
}
