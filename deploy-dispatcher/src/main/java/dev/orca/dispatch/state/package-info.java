/**
 * What the dispatcher remembers per application (the private Avro record
 * {@code dev.orca.dispatch.avro.ApplicationState}), its serde, and the messages one input
 * produces.
 */
package dev.orca.dispatch.state;
