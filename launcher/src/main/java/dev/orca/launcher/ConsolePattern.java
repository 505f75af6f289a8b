package dev.orca.launcher;

import ch.qos.logback.core.PropertyDefinerBase;
import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * The console log pattern of {@code ./orca up} (logback.xml's {@code CONSOLE_PATTERN}): coloured
 * on a terminal, plain text when the output goes to a file, a pipe or a service manager's journal,
 * where escape codes would only garble the lines. {@code NO_COLOR} (any value) or {@code TERM=dumb}
 * turn colours off on a terminal too.
 */
public final class ConsolePattern extends PropertyDefinerBase {

  static final String PLAIN = "%d{HH:mm:ss.SSS} %-5level %-40.40logger{39} %msg%n";
  static final String COLOURED = "%d{HH:mm:ss.SSS} %highlight(%-5level) %cyan(%-40.40logger{39}) %msg%n";

  @Override
  public String getPropertyValue() {
    return choose(isTerminal(System.console()), System.getenv());
  }

  static String choose(boolean terminal, Map<String, String> env) {
    boolean noColour = env.get("NO_COLOR") != null && !env.get("NO_COLOR").isEmpty();
    boolean dumb = "dumb".equals(env.get("TERM"));
    return terminal && !noColour && !dumb ? COLOURED : PLAIN;
  }

  /**
   * Up to Java 21 a console exists only when standard input and output are both terminals; from
   * Java 22 one exists even when they are redirected, and {@code isTerminal()} tells them apart.
   */
  static boolean isTerminal(Console console) {
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
