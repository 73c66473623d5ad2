package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proc is a server process the harness started.
type Proc struct {
	cmd     *exec.Cmd
	done    chan error
	logPath string
	Base    string        // http://127.0.0.1:PORT
	Ready   time.Duration // from exec to the first 200 on the health URL
}

// FreeAddr returns a loopback address with a port nobody listens on now.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}

// StartProc execs bin with args and env (plus PATH and HOME), sending its
// output to logPath, and waits until GET base+health answers 200.
func StartProc(ctx context.Context, bin string, args, env []string, logPath, base, health string, timeout time.Duration) (*Proc, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		_ = logf.Close() // the start error is the one to report
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &Proc{cmd: cmd, done: make(chan error, 1), logPath: logPath, Base: base}
	go func() {
		p.done <- cmd.Wait()
		_ = logf.Close() // nothing left to write
		close(p.done)
	}()
	c := &http.Client{Timeout: time.Second}
	deadline := time.After(timeout)
	for {
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready (%v); log:\n%s", bin, err, tail(logPath))
		case <-deadline:
			p.Stop()
			return nil, fmt.Errorf("%s not ready after %s; log:\n%s", bin, timeout, tail(logPath))
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
		if resp, err := c.Get(base + health); err == nil {
			_ = resp.Body.Close() // only the status matters
			if resp.StatusCode == http.StatusOK {
				p.Ready = time.Since(start)
				return p, nil
			}
		}
	}
}

// PID is the process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// RSS is the process's resident memory now.
func (p *Proc) RSS() (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID()) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read process status: %w", err)
	}
	return ParseVmRSS(string(b))
}

// ParseVmRSS reads the VmRSS line of /proc/PID/status, in bytes.
func ParseVmRSS(status string) (int64, error) {
	for _, l := range readLines(status) {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("unexpected VmRSS line %q", l)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmRSS: %w", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("no VmRSS line in process status")
}

// Stop sends SIGTERM, waits up to 15 s, then kills.
func (p *Proc) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM) // it may have exited already
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill() // last resort
		<-p.done
	}
}

// tail returns the last lines of a log file for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
