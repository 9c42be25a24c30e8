package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"paydesk/commission"
	"paydesk/internal/atomicfile"
	"paydesk/internal/i18n"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/operators"
	"paydesk/store"
)

// OperatorFiles are the network's kiosk files an import reads:
// operators.xml, and groups.xml and commissions.xml when there are any.
type OperatorFiles struct {
	Operators, Groups, Commissions []byte
	// Source names operators.xml in the catalogue's head comment.
	Source string
	// Group is the group of an operator groups.xml places in none; ""
	// leaves such an operator out.
	Group gateway.Group
}

// Imported is what an import made: the catalogue (and the fee schedule
// from commissions.xml) as files, and what it left out.
type Imported struct {
	Catalogue   []byte
	Commissions []byte // nil without commissions.xml
	Result      *operators.Result
}

// ImportOperators turns the network's kiosk files into PayDesk's
// catalogue and fee schedule: the operators the catalogue cannot represent
// are named in Result.Skipped, what kept ones lose in Result.Omitted, and
// commissions.xml's rules of operators left out are named and dropped.
func ImportOperators(f OperatorFiles) (*Imported, error) {
	const op = "import catalogue"
	r, err := operators.Import(f.Operators, operators.Options{Groups: f.Groups, Group: f.Group})
	if err != nil {
		return nil, fail(op, KindInput, i18n.M("app.import_bad", "file", fileOf(err, "operators.xml"), "why", err.Error()), err)
	}
	if len(r.Catalogue.Providers) == 0 {
		return &Imported{Result: r}, fail(op, KindInput, i18n.M("app.import_empty", "n", len(r.Skipped)), nil)
	}
	out := &Imported{Result: r}
	if out.Catalogue, err = r.YAML(f.Source); err != nil {
		return nil, err
	}
	if f.Commissions != nil {
		rules, err := commission.ImportXML(f.Commissions)
		if err != nil {
			return nil, fail(op, KindInput, i18n.M("app.import_bad", "file", "commissions.xml", "why", err.Error()), err)
		}
		kept := map[string]bool{}
		for _, p := range r.Catalogue.Providers {
			kept[p.Code] = true
		}
		sched := commission.File{}
		for _, rule := range rules {
			if rule.Provider != "" && !kept[rule.Provider] {
				r.Omitted = append(r.Omitted, operators.Note{ID: rule.Provider, Name: "commissions.xml", Reason: rule.Name + ": the operator is not in the catalogue"})
				continue
			}
			sched.Fee = append(sched.Fee, rule)
		}
		b, err := sched.Marshal()
		if err != nil {
			return nil, err
		}
		out.Commissions = append([]byte("# The point's fee, imported from commissions.xml; first matching rule wins.\n"), b...)
	}
	return out, nil
}

func fileOf(err error, def string) string {
	var oe *operators.Error
	if errors.As(err, &oe) && oe.File != "" {
		return oe.File
	}
	return def
}

// CatalogueWritten names the files an import from Settings wrote.
type CatalogueWritten struct {
	Catalogue, Commissions string // Commissions "" without commissions.xml
	*Imported
}

// ImportCatalogue reads operators.xml, with groups.xml and commissions.xml
// from its folder when they are there, and writes providers.yaml (and
// commissions.yaml) into dir: an administrator's, audited. The
// configuration is not changed here: Settings names the files and saves
// it, and the catalogue serves from the next start.
func (t *Till) ImportCatalogue(ctx context.Context, u *User, operatorsXML, dir string) (*CatalogueWritten, error) {
	const op = "import catalogue"
	if err := need(u, store.RoleAdmin, op); err != nil {
		return nil, err
	}
	f := OperatorFiles{Source: filepath.Base(operatorsXML)}
	var err error
	if f.Operators, err = os.ReadFile(operatorsXML); err != nil {
		return nil, fail(op, KindInput, i18n.M("app.import_unreadable", "file", operatorsXML), err)
	}
	beside := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(operatorsXML), name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return b, err
	}
	if f.Groups, err = beside("groups.xml"); err != nil {
		return nil, fail(op, KindInput, i18n.M("app.import_unreadable", "file", "groups.xml"), err)
	}
	if f.Commissions, err = beside("commissions.xml"); err != nil {
		return nil, fail(op, KindInput, i18n.M("app.import_unreadable", "file", "commissions.xml"), err)
	}
	im, err := ImportOperators(f)
	if err != nil {
		return nil, err
	}
	w := &CatalogueWritten{Imported: im, Catalogue: filepath.Join(dir, "providers.yaml")}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fail(op, KindConfig, i18n.M("app.import_unwritable", "file", dir), err)
	}
	if err := atomicfile.Write(w.Catalogue, im.Catalogue, 0o644); err != nil {
		return nil, fail(op, KindConfig, i18n.M("app.import_unwritable", "file", w.Catalogue), err)
	}
	if im.Commissions != nil {
		w.Commissions = filepath.Join(dir, "commissions.yaml")
		if err := atomicfile.Write(w.Commissions, im.Commissions, 0o644); err != nil {
			return nil, fail(op, KindConfig, i18n.M("app.import_unwritable", "file", w.Commissions), err)
		}
	}
	return w, t.d.Store.Note(ctx, u.Login, "catalogue.import", w.Catalogue)
}
