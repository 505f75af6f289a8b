/**
 * The web dashboard, served from the same origin as {@code /api/v1}: its built files from
 * {@code orca.dashboard.location}, and {@code index.html} for every deep link.
 */
package dev.orca.gateway.dashboard;
