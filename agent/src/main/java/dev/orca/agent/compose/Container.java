package dev.orca.agent.compose;

/**
 * One container of an application as the engine reports it; {@code health} is null when the
 * service defines no healthcheck, else starting, healthy or unhealthy. {@code configHash} is the
 * hash compose labels a container with for the service configuration it was created from (null
 * when compose did not create it). {@code image} is what the engine lists (the reference the
 * container was created from, or the image's id once that reference names another image);
 * {@code imageId} the id of the image the container runs (null when unknown).
 */
public record Container(String name, String service, String state, String health, String image, String configHash,
    String imageId) {

  public Container(String name, String service, String state, String health, String image, String configHash) {
    this(name, service, state, health, image, configHash, null);
  }

  public Container(String name, String service, String state, String health, String image) {
    this(name, service, state, health, image, null);
  }
}
