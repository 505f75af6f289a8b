package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {

  private static final Set<String> VALUED = Set.of("--count", "--root");
  private static final Set<String> FLAGS = Set.of("--keep");

  @Test
  void shouldReadValuesAndFlagsAndFallBackToDefaults() {
    Args args = Args.parse(new String[] {"--count", "40", "--keep"}, VALUED, FLAGS);
    assertThat(args.integer("--count", 5, 1)).isEqualTo(40);
    assertThat(args.flag("--keep")).isTrue();
    assertThat(args.string("--root", "/tmp")).isEqualTo("/tmp");

    Args none = Args.parse(new String[0], VALUED, FLAGS);
    assertThat(none.integer("--count", 5, 1)).isEqualTo(5);
    assertThat(none.flag("--keep")).isFalse();
  }

  @Test
  void shouldRefuseAnUnknownOptionAndNameTheKnownOnes() {
    assertThatThrownBy(() -> Args.parse(new String[] {"--conut", "40"}, VALUED, FLAGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option --conut (this bench takes --count, --keep, --root)");
  }

  @Test
  void shouldRefuseAMissingOrRepeatedValue() {
    assertThatThrownBy(() -> Args.parse(new String[] {"--count"}, VALUED, FLAGS))
        .hasMessage("--count needs a value");
    assertThatThrownBy(() -> Args.parse(new String[] {"--count", "--keep"}, VALUED, FLAGS))
        .hasMessage("--count needs a value");
    assertThatThrownBy(() -> Args.parse(new String[] {"--count", "1", "--count", "2"}, VALUED, FLAGS))
        .hasMessage("--count is given twice");
  }

  @Test
  void shouldRefuseANumberThatIsNoneOrTooSmall() {
    Args args = Args.parse(new String[] {"--count", "ten", "--root", "0"}, VALUED, FLAGS);
    assertThatThrownBy(() -> args.integer("--count", 5, 1)).hasMessage("--count must be a whole number, not 'ten'");
    assertThatThrownBy(() -> args.integer("--root", 5, 1)).hasMessage("--root must be at least 1, not 0");
    assertThat(args.integer("--root", 5, 0)).isZero();
  }
}
