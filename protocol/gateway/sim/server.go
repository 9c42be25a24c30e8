package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"paydesk/protocol/gateway"
)

// Server is a simulator serving HTTP on a listener of its own.
type Server struct {
	*Sim
	URL string // the base URL, such as http://127.0.0.1:8780
	srv *http.Server
}

// Listen starts a simulator serving on addr ("127.0.0.1:0" for any free
// port). catalogue, when not nil, makes the catalogue from the base URL
// (a catalogue of paths resolves against it); else cfg.Catalogue is used,
// or the built-in one resolved against the base URL.
func Listen(addr string, cfg Config, catalogue func(base string) (*gateway.Catalogue, error)) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sim: listen %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	switch {
	case catalogue != nil:
		cfg.Catalogue, err = catalogue(base)
	case cfg.Catalogue == nil:
		cfg.Catalogue, err = gateway.DefaultCatalogue(base)
	}
	if err != nil {
		ln.Close()
		return nil, err
	}
	s, err := New(cfg)
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 15 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &Server{Sim: s, URL: base, srv: srv}, nil
}

// BalanceURL is the simulator's get_rest.cgi.
func (s *Server) BalanceURL() string { return s.URL + "/cgi-bin/status/get_rest.cgi" }

// Close stops serving and releases the state file.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, s.Sim.Close())
}

// Catalogue returns the providers the simulator serves.
func (s *Sim) Catalogue() *gateway.Catalogue { return s.cfg.Catalogue }
