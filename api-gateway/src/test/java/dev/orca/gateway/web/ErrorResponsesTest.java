package dev.orca.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

class ErrorResponsesTest {

  @Test
  void shouldReplaceFrameworkReasonsThatNameJavaTypesWithTheStatusPhrase() {
    assertThat(ErrorResponses.answer(new ResponseStatusException(HttpStatus.CONFLICT,
        "Conflict for bodyType=dev.orca.gateway.agent.AgentController$AgentBody")).message()).isEqualTo("conflict");
    assertThat(ErrorResponses.answer(new ResponseStatusException(HttpStatus.BAD_REQUEST,
        "Cannot convert java.lang.String")).message()).isEqualTo("bad request");
    assertThat(ErrorResponses.answer(new ServerWebInputException("Failed to read tools.jackson.databind.JsonNode"))
        .message()).isEqualTo("invalid request");
    assertThat(ErrorResponses.answer(new ResponseStatusException(HttpStatus.BAD_REQUEST,
        "no such class here")).message()).isEqualTo("bad request");
  }

  @Test
  void shouldKeepFrameworkReasonsWithoutJavaNamesAndEveryApiExceptionMessage() {
    assertThat(ErrorResponses.answer(new ResponseStatusException(HttpStatus.BAD_REQUEST,
        "Last-Event-ID must be a non-negative integer")).message()).isEqualTo("Last-Event-ID must be a non-negative integer");
    assertThat(ErrorResponses.answer(ApiException.conflict("an agent named java.lang.String already exists")).message())
        .isEqualTo("an agent named java.lang.String already exists");
    assertThat(ErrorResponses.answer(new IllegalStateException("dev.orca.Secret broke")).message())
        .isEqualTo("internal error");
  }
}
