package dev.orca.sync.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.sync.files.ComposeReferences.Reference;
import org.junit.jupiter.api.Test;

class ComposeReferencesTest {

  @Test
  void shouldFindEnvFilesWrittenAsAStringAListOrAListOfPaths() {
    String compose = """
        services:
          one:
            env_file: one.env
          two:
            env_file: [./two.env, shared/common.env]
          three:
            env_file:
              - path: ./three.env
                required: false
              - path: ./defaults.env
        """;

    assertThat(ComposeReferences.of(compose)).containsExactly(Reference.path("one.env"), Reference.path("./two.env"),
        Reference.path("shared/common.env"), Reference.path("./three.env"), Reference.path("./defaults.env"));
  }

  @Test
  void shouldFindRelativeBindMountsAndLeaveNamedVolumesAndHostPathsToOthers() {
    String compose = """
        services:
          web:
            volumes:
              - ./conf/app.conf:/etc/app.conf:ro
              - ./html:/www
              - .cache:/cache
              - data:/var/lib/data
              - /etc:/host-etc
              - ~/secrets:/secrets
              - /anonymous
              - type: bind
                source: ./long/syntax.conf
                target: /etc/long.conf
              - type: bind
                source: plain-relative
                target: /plain
              - type: volume
                source: data
                target: /data
              - type: tmpfs
                target: /tmp
        volumes:
          data: {}
        """;

    assertThat(ComposeReferences.of(compose)).containsExactly(Reference.path("./conf/app.conf"),
        Reference.path("./html"), Reference.path(".cache"), Reference.path("./long/syntax.conf"),
        Reference.path("plain-relative"));
  }

  @Test
  void shouldFindIncludesAndTheFolderTheirOwnPathsResolveFrom() {
    String compose = """
        include:
          - db/compose.yaml
          - path: [./monitoring/compose.yaml, ./monitoring/override.yaml]
            env_file: ./monitoring/.env
          - path: ./proxy/compose.yaml
            project_directory: ./proxy-root
          - oci://registry.example/stack:1
          - path: ./with-variable/${STACK}.yaml
          - path: https://example.com/stack.yaml
        services:
          web:
            image: x:1
        """;

    assertThat(ComposeReferences.of(compose)).containsExactly(
        Reference.compose("db/compose.yaml", null),
        Reference.path("./monitoring/.env"),
        Reference.compose("./monitoring/compose.yaml", "./monitoring"),
        Reference.compose("./monitoring/override.yaml", "./monitoring"),
        Reference.compose("./proxy/compose.yaml", "./proxy-root"));
  }

  @Test
  void shouldCarryButNotFollowAnIncludeWhosePathsResolveOnTheHost() {
    String compose = """
        include:
          - path: ./stack/compose.yaml
            project_directory: /srv/stack
        """;

    assertThat(ComposeReferences.of(compose)).containsExactly(Reference.path("./stack/compose.yaml"));
  }

  @Test
  void shouldFindTheFilesOfExtendsConfigsAndSecrets() {
    String compose = """
        services:
          web:
            extends:
              file: ./common/services.yaml
              service: base
          worker:
            extends: web
          api:
            extends:
              service: web
        configs:
          nginx:
            file: ./nginx.conf
          from-env:
            environment: NGINX_CONF
          external:
            external: true
        secrets:
          token:
            file: ./secrets/token.txt
          host:
            file: /run/host-secret
        """;

    assertThat(ComposeReferences.of(compose)).containsExactly(Reference.compose("./common/services.yaml", null),
        Reference.path("./nginx.conf"), Reference.path("./secrets/token.txt"));
  }

  @Test
  void shouldSkipPathsHoldingAVariableAndBuildContexts() {
    String compose = """
        services:
          web:
            build: ./web
            env_file: ${ENV_FILE:-./web.env}
            volumes:
              - ${CONFIG:-./conf}:/conf
              - $DATA/x:/x
              - type: bind
                source: ./${NAME}.conf
                target: /etc/x.conf
          api:
            build:
              context: ./api
        configs:
          app:
            file: ./${STAGE}/app.conf
        """;

    assertThat(ComposeReferences.of(compose)).isEmpty();
  }

  @Test
  void shouldFindNothingInAFileThatIsNotACompose() {
    assertThat(ComposeReferences.of("services: [unclosed")).isEmpty();
    assertThat(ComposeReferences.of("- a\n- b\n")).isEmpty();
    assertThat(ComposeReferences.of("")).isEmpty();
    assertThat(ComposeReferences.of("services:\n  web:\n")).isEmpty();
  }

  @Test
  void shouldResolvePathsInTheApplicationsFolderAndRefuseThoseAboveIt() {
    assertThat(ComposeReferences.resolve("", "./conf/app.conf")).hasValue("conf/app.conf");
    assertThat(ComposeReferences.resolve("", "conf//./nested/../app.conf")).hasValue("conf/app.conf");
    assertThat(ComposeReferences.resolve("", ".")).hasValue("");
    assertThat(ComposeReferences.resolve("", "./")).hasValue("");
    assertThat(ComposeReferences.resolve("db", "../conf/x")).hasValue("conf/x");
    assertThat(ComposeReferences.resolve("db", "./init.sql")).hasValue("db/init.sql");
    assertThat(ComposeReferences.resolve("", "../shared/x")).isEmpty();
    assertThat(ComposeReferences.resolve("", "conf/../../x")).isEmpty();
    assertThat(ComposeReferences.resolve("db", "../../x")).isEmpty();
    assertThat(ComposeReferences.resolve("", "..")).isEmpty();
  }
}
