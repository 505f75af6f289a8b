package dev.orca.gateway.web;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamContext;

/**
 * Names a place in a JSON body the way error messages show it: {@code pollingInterval},
 * {@code items[2].name}; {@code the request body} for the top level. Never a Java name.
 */
final class JsonFields {

  static final String BODY = "the request body";

  private JsonFields() {}

  /** The field the parser is in. */
  static String of(TokenStreamContext context) {
    Deque<Object> steps = new ArrayDeque<>();
    for (TokenStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        steps.addFirst(Math.max(c.getCurrentIndex(), 0));
      } else if (c.currentName() != null) {
        steps.addFirst(c.currentName());
      }
    }
    return format(steps);
  }

  /** The field a Jackson failure is about. */
  static String of(List<JacksonException.Reference> references) {
    Deque<Object> steps = new ArrayDeque<>();
    for (JacksonException.Reference reference : references) {
      if (reference.getPropertyName() != null) {
        steps.addLast(reference.getPropertyName());
      } else if (reference.getIndex() >= 0) {
        steps.addLast(reference.getIndex());
      }
    }
    return format(steps);
  }

  private static String format(Iterable<Object> steps) {
    StringBuilder path = new StringBuilder();
    for (Object step : steps) {
      if (step instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(step);
      }
    }
    return path.length() == 0 ? BODY : path.toString();
  }
}
