/**
 * The HTTP edge shared by every feature: errors as {@code {"error": "..."}} with their status,
 * and the request-size limit.
 */
package dev.orca.gateway.web;
