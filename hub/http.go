package hub

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"paydesk/hub/wire"
	"paydesk/internal/i18n"
)

// Handler serves the desks' batches (POST wire.Path, answered with a
// wire.Answer), GET /healthz (the database answers) and the partners'
// page (/login, /report, /report.csv).
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	h.routes(mux)
	return mux
}

func (h *Hub) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+wire.Path, h.postBatch)
	mux.HandleFunc("GET /healthz", h.healthz)
	h.webRoutes(mux)
}

// lang is the language a request asks for: English when its
// Accept-Language starts with en, Russian otherwise.
func lang(r *http.Request) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "en") {
		return i18n.EN
	}
	return i18n.RU
}

func (h *Hub) postBatch(w http.ResponseWriter, r *http.Request) {
	doc, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			reply(w, http.StatusRequestEntityTooLarge, wire.Answer{Refused: wire.KindFormat,
				Message: (&Error{Kind: KindFormat, Detail: "the batch is too large"}).Msg().In(lang(r))})
			return
		}
		reply(w, http.StatusBadRequest, wire.Answer{Message: err.Error()})
		return
	}
	o := h.group.ingest(r.Context(), doc)
	res, err := o.Result, o.Err
	a := wire.Answer{Point: res.Point, Last: res.Last, Applied: res.Applied, Skipped: res.Skipped}
	if err == nil {
		reply(w, http.StatusOK, a)
		return
	}
	var he *Error
	if !errors.As(err, &he) || !he.Kind.Refused() {
		h.log.Error("batch not taken", "err", err)
		a.Message = KindDatabase.Msg().In(lang(r))
		reply(w, http.StatusServiceUnavailable, a)
		return
	}
	a.Refused, a.Message = wire.Kind(he.Kind), he.Msg().In(lang(r))
	status := http.StatusUnprocessableEntity
	switch he.Kind {
	case KindGap:
		status = http.StatusConflict
	case KindSignature, KindPoint:
		status = http.StatusForbidden
	}
	reply(w, status, a)
}

func (h *Hub) healthz(w http.ResponseWriter, r *http.Request) {
	if err := h.db.Ping(r.Context()); err != nil {
		http.Error(w, KindDatabase.Msg().In(lang(r)), http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ok\n")
}

func reply(w http.ResponseWriter, status int, a wire.Answer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}
