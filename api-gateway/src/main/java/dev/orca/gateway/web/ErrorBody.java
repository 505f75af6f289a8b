package dev.orca.gateway.web;

/** The body of every error answer. */
public record ErrorBody(String error) {}
