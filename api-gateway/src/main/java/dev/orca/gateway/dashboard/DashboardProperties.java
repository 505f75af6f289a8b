package dev.orca.gateway.dashboard;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the dashboard's built files are ({@code index.html}, {@code assets/}): a Spring resource
 * location such as {@code classpath:/dashboard/} or {@code file:/srv/orca/dashboard/}.
 */
@ConfigurationProperties("orca.dashboard")
record DashboardProperties(@DefaultValue("classpath:/dashboard/") String location) {}
