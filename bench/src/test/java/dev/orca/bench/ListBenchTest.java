package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ListBenchTest {

  @Test
  void shouldFollowTheNextLinkAmongOthers() {
    assertThat(ListBench.nextLink(List.of("</api/v1/applications?limit=50&offset=100>; rel=\"next\"")))
        .isEqualTo("/api/v1/applications?limit=50&offset=100");
    assertThat(ListBench.nextLink(List.of("</a?offset=0>; rel=\"prev\", </a?offset=100>;rel=next")))
        .isEqualTo("/a?offset=100");
    assertThat(ListBench.nextLink(List.of("</a?offset=0>; rel=\"prev\""))).isNull();
    assertThat(ListBench.nextLink(List.of())).isNull();
  }

  @Test
  void shouldNameOneApplicationInAThousandSoThatTheSearchFindsAFew() {
    assertThat(ListBench.name(7)).isEqualTo("payments-00007");
    assertThat(ListBench.name(8)).isEqualTo("app-00008");
    assertThat(IntStream.range(0, 10_000).mapToObj(ListBench::name).filter(n -> n.contains(ListBench.SEARCH)))
        .hasSize(10);
  }
}
