package io.kube4j.api;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointSliceJsonTest {
    @Test
    void anUnnamedPortKeepsItsEmptyNameAndFalseConditionsAreWritten() {
        EndpointSlice s = new EndpointSlice();
        EndpointSlice.EndpointPort p = new EndpointSlice.EndpointPort();
        p.name = "";
        p.port = 8080;
        p.protocol = "TCP";
        s.ports.add(p);
        EndpointSlice.Endpoint e = new EndpointSlice.Endpoint();
        e.addresses.add("10.0.0.1");
        e.conditions = new EndpointSlice.EndpointConditions();
        e.conditions.ready = false;
        e.conditions.serving = true;
        e.conditions.terminating = false;
        s.endpoints.add(e);

        String json = Json.write(s);

        // kubectl 1.32 dereferences ports[].name in describe service: it must be present even when empty
        assertThat(json).contains("\"ports\":[{\"name\":\"\",\"protocol\":\"TCP\",\"port\":8080}]");
        assertThat(json).contains("\"conditions\":{\"ready\":false,\"serving\":true,\"terminating\":false}");
        EndpointSlice back = Json.read(json, EndpointSlice.class);
        assertThat(back.ports.getFirst().name).isEmpty();
    }
}
