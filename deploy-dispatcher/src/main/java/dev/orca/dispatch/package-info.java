/**
 * deploy-dispatcher: a Kafka Streams application that turns deploy and removal requests and
 * agent results into per-agent commands and status events. Lifecycle lives in
 * {@link dev.orca.dispatch.DeployDispatcher}, the wiring in {@link dev.orca.dispatch.DispatchTopology}.
 */
package dev.orca.dispatch;
