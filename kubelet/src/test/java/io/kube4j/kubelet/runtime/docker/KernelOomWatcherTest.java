package io.kube4j.kubelet.runtime.docker;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Which containers the kernel's oom-kill records name (cadvisor's oomparser), from real kernel 6.1 lines. */
class KernelOomWatcherTest {
    static final String ID = "0fdeae8bf0b7a4a48c8cc985764085835d666515a864724a51436062cc11d2fb";

    @Test
    void theCgroupfsDriversTaskMemcgNamesTheContainer() {
        KernelOomWatcher w = KernelOomWatcher.start(Path.of("/nonexistent/kmsg"));
        w.accept("6,26530,39236076112,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=" + ID
                + ",mems_allowed=0,oom_memcg=/docker/" + ID + ",task_memcg=/docker/" + ID + ",task=tail,pid=4242,uid=0");
        assertThat(w.oomKilled(ID)).isTrue();
        assertThat(w.oomKilled(ID.replace('0', '1'))).isFalse();
        assertThat(w.running()).isFalse();
    }

    @Test
    void theSystemdDriversScopeNamesTheContainer() {
        KernelOomWatcher w = KernelOomWatcher.start(Path.of("/nonexistent/kmsg"));
        w.accept("6,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=docker-" + ID
                + ".scope,mems_allowed=0,oom_memcg=/system.slice/docker-" + ID + ".scope,task_memcg=/system.slice/docker-" + ID + ".scope,task=java,pid=1,uid=0");
        assertThat(w.oomKilled(ID)).isTrue();
    }

    @Test
    void otherRecordsAndNonContainerCgroupsNameNothing() {
        KernelOomWatcher w = KernelOomWatcher.start(Path.of("/nonexistent/kmsg"));
        w.accept("6,2,3,-;Memory cgroup out of memory: Killed process 4242 (tail) total-vm:70000kB");
        w.accept("6,3,4,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=x,pid=9,uid=0");
        assertThat(w.oomKilled(ID)).isFalse();
    }
}
