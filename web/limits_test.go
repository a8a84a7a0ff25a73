package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve runs srv (its engine a real one) with Serve on a loopback port
// until the test ends, and returns its address.
func serve(t *testing.T, srv *Server) string {
	t.Helper()
	e, data := runEngine(t)
	srv.Engine, srv.Uploads = e, filepath.Join(data, "uploads")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// ask sends one raw request on conn and reads the answer's status line.
func ask(conn net.Conn, br *bufio.Reader, req string, limit time.Duration) (string, error) {
	conn.SetDeadline(time.Now().Add(limit))
	if _, err := io.WriteString(conn, req); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Status, nil
}

const health = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

// closedWithin reports whether the server closes conn within limit.
func closedWithin(conn net.Conn, limit time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

// The server does not wait for ever on a client: a body that never
// arrives, a connection left idle, headers beyond reason.
func TestServerLimits(t *testing.T) {
	addr := serve(t, &Server{ReadTimeout: 300 * time.Millisecond, WriteTimeout: time.Second, IdleTimeout: 300 * time.Millisecond})
	tests := []struct {
		name string
		req  string // sent, then the connection is watched
		want string // the status line, or "closed" for a closed connection
	}{
		{"a body that never comes", "POST /api/reindex HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{", "closed"},
		{"headers that never end", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n", "closed"},
		{"an idle keep-alive connection", health, "closed"},
		{"headers of 100 KiB", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: " + strings.Repeat("x", 100<<10) + "\r\n\r\n", "431"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			if tt.want != "closed" {
				status, err := ask(conn, br, tt.req, 5*time.Second)
				if err != nil || !strings.HasPrefix(status, tt.want) {
					t.Errorf("answer %q, %v; want %s", status, err, tt.want)
				}
				return
			}
			if tt.req == health {
				if status, err := ask(conn, br, tt.req, 5*time.Second); err != nil || status != "200 OK" {
					t.Fatalf("first request: %q, %v", status, err)
				}
			} else if _, err := io.WriteString(conn, tt.req); err != nil {
				t.Fatal(err)
			}
			if !closedWithin(conn, 5*time.Second) {
				t.Error("the connection is still open 5s later")
			}
		})
	}
}

// An upload slower than ReadTimeout goes through while its bytes keep
// coming.
func TestSlowUpload(t *testing.T) {
	addr := serve(t, &Server{ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond, MaxUpload: 1 << 20})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "slow.txt")
	fmt.Fprint(part, strings.Repeat("The controller reads the budget slowly. ", 20))
	mw.Close()
	pr, pw := io.Pipe()
	go func() {
		b := body.Bytes()
		for len(b) > 0 { // a chunk every 100 ms: the whole takes over a second
			n := min(len(b), len(body.Bytes())/12+1)
			if _, err := pw.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/ingest", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		t.Errorf("%s: %s", resp.Status, b)
	}
}

// Connections beyond MaxConns wait for one to close, so that idle ones
// cannot use up the file descriptors.
func TestConnectionLimit(t *testing.T) {
	addr := serve(t, &Server{MaxConns: 2})
	var held []net.Conn
	for range 2 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if status, err := ask(conn, bufio.NewReader(conn), health, 5*time.Second); err != nil || status != "200 OK" {
			t.Fatalf("%q, %v", status, err)
		}
		held = append(held, conn) // kept alive, idle
	}
	third, err := net.Dial("tcp", addr) // the kernel accepts; the server does not
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	br := bufio.NewReader(third)
	if status, err := ask(third, br, health, 300*time.Millisecond); err == nil {
		t.Fatalf("a third connection was served (%s) while two were open", status)
	}
	held[0].Close()
	third.SetDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the third connection was not served once one closed: %v", err)
	}
	resp.Body.Close()
}
