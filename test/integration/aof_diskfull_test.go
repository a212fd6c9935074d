package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestAOFDiskFullAlways fills a small tmpfs under appendfsync always until
// the server exits on the short write, then restarts it on a copy of its
// AOF with aof-load-truncated no: as Redis's flushAppendOnlyFile truncates
// the partial record before exiting, the restart loads and holds every key
// that was acknowledged. Runs for redis-server too, when present, to check
// the test itself. Needs root to mount the tmpfs.
func TestAOFDiskFullAlways(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	if binErr != nil {
		t.Skip(binErr)
	}
	bins := []string{shoalBin}
	if r, err := exec.LookPath("redis-server"); err == nil {
		bins = append(bins, r)
	}
	for _, bin := range bins {
		t.Run(filepath.Base(bin), func(t *testing.T) { aofDiskFull(t, bin) })
	}
}

func aofDiskFull(t *testing.T, bin string) {
	mnt := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=192k"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	// Registered before the server's own cleanup, so it runs after it.
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	p, addr := testutil.StartServer(t, bin, "--dir", mnt, "--appendonly", "yes", "--appendfsync", "always")
	c := testutil.Dial(t, addr)
	value := strings.Repeat("v", 1000)
	var acked []string
	for i := 0; i < 1000; i++ {
		key := "key:" + strconv.Itoa(i)
		c.Send("SET", key, value)
		b, err := c.TryReadReply(5 * time.Second)
		if err != nil || string(b) != "+OK\r\n" {
			break
		}
		acked = append(acked, key)
	}
	if !testutil.Poll(10*time.Second, p.Exited) {
		t.Fatalf("server still running after the disk filled (%d keys acknowledged)", len(acked))
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged")
	}
	dir := t.TempDir()
	if err := exec.Command("cp", "-r", filepath.Join(mnt, "appendonlydir"), dir).Run(); err != nil {
		t.Fatal(err)
	}
	p2, addr2 := testutil.StartServer(t, bin, "--dir", dir, "--appendonly", "yes", "--aof-load-truncated", "no")
	defer p2.Stop()
	c2 := testutil.Dial(t, addr2)
	args := append([]string{"EXISTS"}, acked...)
	if got, want := string(c2.Do(args...)), ":"+strconv.Itoa(len(acked))+"\r\n"; got != want {
		t.Fatalf("after restart EXISTS of the %d acknowledged keys = %q", len(acked), got)
	}
}
