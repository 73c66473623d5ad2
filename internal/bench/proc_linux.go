package bench

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill a started server if the harness
// itself dies (even by SIGKILL), so no server outlives a run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
