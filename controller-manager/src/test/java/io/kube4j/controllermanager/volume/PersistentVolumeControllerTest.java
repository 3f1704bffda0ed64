package io.kube4j.controllermanager.volume;

import io.kube4j.api.ObjectReference;
import io.kube4j.api.PersistentVolume;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.StorageClass;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class PersistentVolumeControllerTest {
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final PersistentVolumeController controller = new PersistentVolumeController(informers, client);

    static PersistentVolumeClaim claim(String name, String size, String storageClass) {
        PersistentVolumeClaim c = new PersistentVolumeClaim();
        c.metadata.namespace = NS;
        c.metadata.name = name;
        c.metadata.uid = "uid-" + name;
        c.spec.accessModes = List.of("ReadWriteOnce");
        c.spec.resources = new PersistentVolumeClaim.VolumeResourceRequirements();
        c.spec.resources.requests.put("storage", Quantity.parse(size));
        c.spec.storageClassName = storageClass;
        c.status.phase = "Pending";
        return c;
    }

    static PersistentVolume volume(String name, String size, String storageClass) {
        PersistentVolume v = new PersistentVolume();
        v.metadata.name = name;
        v.spec.capacity.put("storage", Quantity.parse(size));
        v.spec.accessModes = List.of("ReadWriteOnce", "ReadOnlyMany");
        v.spec.storageClassName = storageClass;
        v.spec.persistentVolumeReclaimPolicy = "Retain";
        v.status.phase = "Available";
        return v;
    }

    @Test
    void bindsTheSmallestSatisfyingVolumeVolumeFirst() {
        preload(informers.informer(PersistentVolumeClaim.class), claim("data", "3Gi", "manual"));
        preload(informers.informer(PersistentVolume.class), volume("big", "10Gi", "manual"), volume("small", "5Gi", "manual"),
                volume("tiny", "1Gi", "manual"), volume("other-class", "5Gi", "fast"));

        controller.reconcile("claim:" + NS + "/data");

        assertThat(client.summaries()).containsExactly(
                "update PersistentVolume small", "updateStatus PersistentVolume small",
                "update PersistentVolumeClaim default/data", "updateStatus PersistentVolumeClaim default/data");
        PersistentVolume bound = (PersistentVolume) client.actions().get(1).object();
        assertThat(bound.status.phase).isEqualTo("Bound");
        assertThat(bound.spec.claimRef.uid).isEqualTo("uid-data");
        PersistentVolumeClaim claim = (PersistentVolumeClaim) client.actions().get(3).object();
        assertThat(claim.spec.volumeName).isEqualTo("small");
        assertThat(claim.status.phase).isEqualTo("Bound");
        assertThat(claim.status.capacity.get("storage")).isEqualTo(Quantity.parse("5Gi"));
        assertThat(claim.metadata.annotations).containsEntry("pv.kubernetes.io/bind-completed", "yes").containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
    }

    @Test
    void claimOfTheLocalPathClassGetsAProvisionedHostPathVolume() {
        StorageClass sc = new StorageClass();
        sc.metadata.name = "local-path";
        sc.provisioner = PersistentVolumeController.LOCAL_PATH;
        sc.reclaimPolicy = "Delete";
        preload(informers.informer(StorageClass.class), sc);
        preload(informers.informer(PersistentVolumeClaim.class), claim("www", "1Gi", "local-path"));

        controller.reconcile("claim:" + NS + "/www");

        assertThat(client.summaries()).containsExactly("create PersistentVolume pvc-uid-www");
        PersistentVolume pv = (PersistentVolume) client.actions().getFirst().object();
        assertThat(pv.spec.hostPath.path).isEqualTo("/var/lib/kube4j/storage/pvc-uid-www_default_www");
        assertThat(pv.spec.claimRef.name).isEqualTo("www");
        assertThat(pv.spec.persistentVolumeReclaimPolicy).isEqualTo("Delete");
        assertThat(client.eventReasons()).containsExactly("ProvisioningSucceeded");
    }

    @Test
    void claimWithoutClassOrVolumeWaitsWithKubernetesEvent() {
        preload(informers.informer(PersistentVolumeClaim.class), claim("lonely", "1Gi", null));

        controller.reconcile("claim:" + NS + "/lonely");

        assertThat(client.summaries()).isEmpty();
        assertThat(client.eventReasons()).containsExactly("FailedBinding");
        assertThat(client.events().getFirst().message).isEqualTo("no persistent volumes available for this claim and no storage class is set");
    }

    @Test
    void volumeOfADeletedClaimIsReleasedOrDeletedPerReclaimPolicy() {
        PersistentVolume retained = volume("kept", "1Gi", "manual");
        retained.spec.claimRef = new ObjectReference();
        retained.spec.claimRef.namespace = NS;
        retained.spec.claimRef.name = "gone";
        retained.spec.claimRef.uid = "uid-gone";
        retained.status.phase = "Bound";
        PersistentVolume deleted = volume("dropped", "1Gi", "local-path");
        deleted.spec.persistentVolumeReclaimPolicy = "Delete";
        deleted.spec.claimRef = retained.spec.claimRef;
        preload(informers.informer(PersistentVolume.class), retained, deleted);

        controller.reconcile("volume:kept");
        controller.reconcile("volume:dropped");

        assertThat(client.summaries()).containsExactly("updateStatus PersistentVolume kept", "delete PersistentVolume dropped");
        assertThat(((PersistentVolume) client.actions().getFirst().object()).status.phase).isEqualTo("Released");
    }
}
