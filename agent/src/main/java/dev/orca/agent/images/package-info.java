/** The agent's image check: pulls each opted-in application's images on its interval and reports updates. */
package dev.orca.agent.images;
