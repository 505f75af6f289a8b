/** The OpenAPI 3 description of the HTTP API, generated from the controllers (springdoc). */
package dev.orca.gateway.openapi;
