/**
 * Configuration of the gateway ({@code orca.*} properties, environment variables, the database
 * URL), the shared {@code Topics} and crypto beans, and the renderer of entities for SSE.
 */
package dev.orca.gateway.system;
