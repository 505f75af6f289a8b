/**
 * The HTTP edge shared by every feature: errors as {@code {"error": "..."}} with their status
 * (also for answers Reactor Netty gives itself), the security headers, the request-size limit,
 * and the refusal of NUL characters in URIs and JSON bodies.
 */
package dev.orca.gateway.web;
