package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
	"paydesk/protocol/ipriv"
)

// settingsScreen is for administrators: point codes, keys, the fiscal
// device, language and training mode. Changes are written to the user's
// configuration file and take effect on the next start.
type settingsScreen struct {
	u        *UI
	root     fyne.CanvasObject
	sd, ap   *keyEntry
	op       *keyEntry
	port     *keySelectEntry
	baud     *keySelect
	password *keyEntry
	language *keySelect
	training *keyCheck
	contrast *keyCheck
	keySer   *keyEntry
	keyUser  *keyEntry
	keyPass  *keyEntry
	keyFile  *keyEntry
	bankFile *keyEntry
	bankSer  *keyEntry
	loadPass *keyEntry
	remember *keyCheck // keep loadPass in the OS credential store
	pass     passState // where the passphrase is kept, as last saved
	plain    *fyne.Container
	catalog  *keyEntry
	// commissions is the commission schedule file; importNote says what
	// an import of the network's operators.xml wrote and left out.
	commissions *keyEntry
	importNote  *note
	pubKey      *keyEntry
	message     *line
	// testNote, genNote and keysNote say, under their buttons, what Test
	// connection (and Find ports), Generate and Check keys came to.
	testNote, genNote, keysNote *note
}

func newSettingsScreen(u *UI) *settingsScreen {
	c := u.rt.Config
	s := &settingsScreen{u: u, sd: u.entry(), ap: u.entry(), op: u.entry(), password: u.entry(),
		keySer: u.entry(), keyUser: u.entry(), keyPass: u.passwordEntry(), pubKey: u.multiLineEntry(), message: newLine(fyne.TextStyle{}),
		testNote: newNote(), genNote: newNote(), keysNote: newNote(), importNote: newNote(), commissions: u.entry()}
	s.keyFile, s.bankFile, s.bankSer, s.loadPass, s.catalog = u.entry(), u.entry(), u.entry(), u.passwordEntry(), u.entry()
	s.keyFile.SetText(c.Keys.Secret)
	s.keyFile.PlaceHolder = "secret.key"
	s.bankFile.SetText(c.Keys.Bank)
	s.bankFile.PlaceHolder = "pubkeys.key"
	s.bankSer.SetText(strconv.FormatUint(uint64(c.Keys.BankSerial), 10))
	s.loadPass.PlaceHolder = u.T("settings.key_passphrase")
	s.pass = passStateOf(c)
	s.remember = u.check(u.T("settings.remember_passphrase"), nil)
	s.remember.SetChecked(s.pass.store == config.StoreKeyring)
	s.plain = s.plainFileOffer()
	s.catalog.SetText(c.Providers)
	s.catalog.PlaceHolder = u.T("settings.catalogue_builtin")
	s.commissions.SetText(c.Commissions)
	s.commissions.PlaceHolder = u.T("settings.commissions_none")
	importB := u.button(u.T("settings.import"), theme.FolderOpenIcon(), s.askImport)
	s.sd.SetText(c.Point.SD)
	s.ap.SetText(c.Point.AP)
	s.op.SetText(c.Point.OP)
	s.port = u.selectEntry(nil)
	s.port.SetText(c.Fiscal.Port)
	s.baud = u.selector([]string{"4800", "9600", "19200", "38400", "57600", "115200"}, nil)
	s.baud.SetSelected(strconv.Itoa(c.Fiscal.Baud))
	s.password.SetText(strconv.Itoa(int(c.Fiscal.Password)))
	s.language = u.selector([]string{"Русский", "English"}, nil)
	if u.lang == "en" { // the configured one, or the one saved since
		s.language.SetSelectedIndex(1)
	} else {
		s.language.SetSelectedIndex(0)
	}
	s.training = u.check(u.T("settings.training"), nil)
	s.training.SetChecked(c.Training)
	s.contrast = u.check(u.T("settings.contrast"), func(on bool) { SetHighContrast(u.fyneApp, on) })
	s.keySer.PlaceHolder = u.T("settings.key_serial")
	s.keyUser.PlaceHolder = "api" + c.Point.AP
	s.keyPass.PlaceHolder = u.T("settings.key_passphrase")
	s.pubKey.Wrapping = fyne.TextWrapOff
	s.pubKey.TextStyle = fyne.TextStyle{Monospace: true}
	refresh := u.button(u.T("settings.find_ports"), theme.ViewRefreshIcon(), s.findPorts)
	test := u.button(u.T("settings.test"), theme.MediaPlayIcon(), s.testDevice)
	gen := u.button(u.T("settings.generate"), theme.ContentAddIcon(), s.generate)
	save := u.button(u.T("settings.save"), theme.DocumentSaveIcon(), s.save)
	save.Importance = widget.HighImportance
	head := func(key string) *widget.FormItem {
		return widget.NewFormItem("", widget.NewLabelWithStyle(u.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	// One form, so that every label lines up; each button's result right
	// under it.
	form := widget.NewForm(
		head("settings.point_device"),
		widget.NewFormItem("SD", s.sd), widget.NewFormItem("AP", s.ap), widget.NewFormItem("OP", s.op),
		widget.NewFormItem(u.T("settings.port"), container.NewBorder(nil, nil, nil, refresh, s.port)),
		widget.NewFormItem(u.T("settings.baud"), s.baud), widget.NewFormItem(u.T("settings.password"), s.password),
		widget.NewFormItem("", container.NewVBox(container.NewHBox(test), s.testNote)),
		widget.NewFormItem(u.T("settings.language"), s.language),
		widget.NewFormItem("", s.training), widget.NewFormItem("", s.contrast),
		head("settings.keys"),
		widget.NewFormItem(u.T("settings.key_file"), s.keyFile), widget.NewFormItem(u.T("settings.key_passphrase"), s.loadPass),
		widget.NewFormItem("", s.remember), widget.NewFormItem("", s.plain),
		widget.NewFormItem(u.T("settings.bank_file"), s.bankFile), widget.NewFormItem(u.T("settings.bank_serial"), s.bankSer),
		widget.NewFormItem("", container.NewVBox(container.NewHBox(u.button(u.T("settings.check_keys"), theme.ConfirmIcon(), s.checkKeys)), s.keysNote)),
		widget.NewFormItem(u.T("settings.catalogue"), container.NewVBox(container.NewBorder(nil, nil, nil, importB, s.catalog), s.importNote)),
		widget.NewFormItem(u.T("settings.commissions"), s.commissions),
		head("settings.new_keys"),
		widget.NewFormItem(u.T("settings.key_serial"), s.keySer), widget.NewFormItem(u.T("settings.key_user"), s.keyUser),
		widget.NewFormItem(u.T("settings.key_passphrase"), s.keyPass),
		widget.NewFormItem("", container.NewVBox(container.NewHBox(gen), s.genNote)),
		widget.NewFormItem(u.T("settings.public_key"), container.NewGridWrap(fyne.NewSize(620, 160), s.pubKey)),
	)
	info := wrapLabel(u.T("settings.config_file", "File", configTarget(c)))
	// The scroll bar's width is kept free on the right: no field under it.
	gutter := canvas.NewRectangle(color.Transparent)
	gutter.SetMinSize(fyne.NewSize(2*theme.ScrollBarSize(), 1))
	s.root = container.NewVScroll(container.NewBorder(nil, nil, nil, gutter, container.NewVBox(
		form, widget.NewSeparator(), info, container.NewHBox(save), s.message)))
	return s
}

func (s *settingsScreen) content() fyne.CanvasObject { return s.root }

// configTarget is the file Settings saves to (config.Target).
func configTarget(c *config.Config) string { return config.Target(c) }

// findPorts fills the port list from the serial library's enumeration.
func (s *settingsScreen) findPorts() {
	s.u.background(func(ctx context.Context) func() {
		ports, err := shtrih.Ports()
		return func() {
			if err != nil {
				s.testNote.fail(s.u, err)
				return
			}
			var names []string
			for _, p := range ports {
				names = append(names, p.Name)
			}
			names = append(names, "tcp://192.168.1.10:7778", "emulator", "none")
			s.port.SetOptions(names)
			s.testNote.info(s.u.T("settings.ports_found", "N", len(ports)))
		}
	})
}

// testDevice opens the configured port and shows the device status.
func (s *settingsScreen) testDevice() {
	port, baudText, pw := s.port.Text, s.baud.Selected, s.password.Text
	if port == "" || port == "emulator" {
		port = s.u.rt.KKMPort
	}
	s.testNote.info(s.u.T("settings.testing", "Port", port))
	s.u.background(func(ctx context.Context) func() {
		baud, _ := strconv.Atoi(baudText)
		p, _ := strconv.Atoi(pw)
		var text string
		var in fiscal.Info
		var ierr error
		dev, err := fiscal.Open(app.DriverOf(s.u.rt.Config), fiscal.Config{Port: port, Baud: baud, Password: uint32(p), DialTimeout: 3 * time.Second, ReadyTimeout: 5 * time.Second})
		if err == nil {
			c, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			st, serr := dev.Status(c)
			own := port == s.u.rt.KKMPort
			if serr == nil && !own {
				in, ierr = dev.Info(c) // another register than the till's
			}
			dev.Close()
			if serr != nil {
				err = serr
			} else {
				text = s.u.T("settings.device_ok", "Model", st.Model, "Status", s.u.deviceText(st), "FN", st.FNNumber, "Width", st.LineWidth)
				if own {
					// The till's register: read afresh, so a re-registration
					// or a new drive is seen now, not after the cache's minute.
					in, ierr = s.u.till.RegisterInfo(c, true)
				}
			}
		}
		return func() {
			if err != nil {
				s.testNote.refuse(s.u.T("settings.device_fail_because", "Why", s.u.appMessage(err)))
				return
			}
			if ierr != nil {
				s.testNote.warn(text + "\n" + s.u.T("settings.info_fail_because", "Why", s.u.appMessage(ierr)))
				return
			}
			s.testNote.ok(text + "\n" + s.u.infoText(in))
		}
	})
}

// generate makes a key pair and shows the public key to send for
// registration.
func (s *settingsScreen) generate() {
	serial, err := strconv.ParseUint(s.keySer.Text, 10, 32)
	if err != nil || serial == 0 {
		s.genNote.refuse(s.u.T("settings.key_serial_bad"))
		return
	}
	user := s.keyUser.Text
	if user == "" {
		user = s.keyUser.PlaceHolder
	}
	pass := []byte(s.keyPass.Text)
	if len(pass) == 0 {
		s.genNote.refuse(s.u.T("settings.key_passphrase_needed"))
		return
	}
	dir := filepath.Join(s.u.rt.DataDir, "keys")
	s.u.background(func(ctx context.Context) func() {
		kp, err := ipriv.WriteKeyPair(ipriv.KeyPairSpec{Dir: dir, Bits: 1024, Serial: uint32(serial), UserID: user,
			Passphrase: pass, Created: time.Now()})
		return func() {
			if errors.Is(err, fs.ErrExist) {
				s.genNote.refuse(s.u.T("settings.key_exists", "Dir", dir))
				return
			}
			if err != nil {
				s.genNote.fail(s.u, err)
				return
			}
			s.pubKey.SetText(string(kp.Public))
			s.genNote.ok(s.u.T("settings.key_done", "Dir", dir))
		}
	})
}

// checkKeys opens the point's key with the passphrase and finds the bank
// key, so an administrator knows before saving that they will work.
func (s *settingsScreen) checkKeys() {
	keyFile, pass, bankFile, serText := s.keyFile.Text, []byte(s.loadPass.Text), s.bankFile.Text, s.bankSer.Text
	s.u.background(func(ctx context.Context) func() {
		var text string
		err := func() error {
			b, err := os.ReadFile(keyFile)
			if err != nil {
				return err
			}
			k, err := ipriv.ParseSecretKey(b, pass)
			if err != nil {
				return err
			}
			serial, err := strconv.ParseUint(serText, 10, 32)
			if err != nil {
				return fmt.Errorf("%s", s.u.T("settings.key_serial_bad"))
			}
			rb, err := os.ReadFile(bankFile)
			if err != nil {
				return err
			}
			ring, err := ipriv.ParseKeyring(rb)
			if err != nil {
				return err
			}
			bank, err := ring.Find(uint32(serial))
			if err != nil {
				return err
			}
			text = s.u.T("settings.keys_ok", "Serial", k.Serial, "User", k.UserID, "Bits", k.Bits(), "Bank", bank.Serial, "BankUser", bank.UserID)
			return nil
		}()
		return func() {
			if err != nil {
				s.keysNote.refuse(s.u.ipErrText(err))
				return
			}
			s.keysNote.ok(text)
		}
	})
}

func (u *UI) ipErrText(err error) string {
	var e *ipriv.Error
	if errors.As(err, &e) {
		if errors.Is(err, ipriv.ErrPassphrase) {
			return u.T("settings.wrong_passphrase")
		}
		return e.Msg().In(u.lang)
	}
	return u.appMessage(err)
}

// save writes the settings to the configuration file through the core
// (Till.EditSettings: an administrator's, audited; config.Edit: the keys of
// the form change, everything else in the file stays). The key's
// passphrase is never written to a file: with "Remember on this computer"
// it goes to the OS credential store, else nowhere (asked at start); that
// part runs in the background, since the store may wait on the user
// (savePassphrase).
func (s *settingsScreen) save() {
	file := configTarget(s.u.rt.Config)
	pw, err := strconv.Atoi(s.password.Text)
	if err != nil || !config.FiscalPasswordOK(int64(pw)) {
		s.message.SetText(s.u.T("settings.password_bad"))
		return
	}
	baud, _ := strconv.Atoi(s.baud.Selected)
	langCode := "ru"
	if s.language.SelectedIndex() == 1 {
		langCode = "en"
	}
	form := s.formEdit(baud, pw, langCode)
	if ch := s.passChange(); ch.kind != passKeep {
		s.savePassphrase(file, ch, form, langCode)
		return
	}
	if err := s.u.till.EditSettings(s.u.ctx, s.u.user, file, form); err != nil {
		s.message.SetText(s.u.appMessage(err))
		return
	}
	s.saved(file, langCode, "")
}

// askImport asks for the network's operators.xml (groups.xml and
// commissions.xml are read from its folder when they are there).
func (s *settingsScreen) askImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		s.importFrom(r.URI().Path())
	}, s.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xml"}))
	d.Show()
}

// importFrom imports operators.xml into providers.yaml (and
// commissions.yaml) beside the configuration file, in the background,
// then names them in the form: Save keeps them for the next start.
func (s *settingsScreen) importFrom(file string) {
	dir := filepath.Dir(configTarget(s.u.rt.Config))
	s.importNote.info(s.u.T("settings.importing", "File", file))
	s.u.background(func(ctx context.Context) func() {
		w, err := s.u.till.ImportCatalogue(ctx, s.u.user, file, dir)
		return func() {
			if err != nil {
				s.importNote.fail(s.u, err)
				return
			}
			s.catalog.SetText(w.Catalogue)
			if w.Commissions != "" {
				s.commissions.SetText(w.Commissions)
			}
			r := w.Result
			text := s.u.T("settings.imported", "N", len(r.Catalogue.Providers), "File", w.Catalogue, "Skipped", len(r.Skipped), "Omitted", len(r.Omitted))
			for i, n := range r.Skipped {
				if i == 5 {
					text += "\n" + s.u.T("settings.imported_more", "N", len(r.Skipped)-i)
					break
				}
				text += "\n• " + n.String()
			}
			if len(r.Skipped) > 0 {
				s.importNote.warn(text)
			} else {
				s.importNote.ok(text)
			}
		}
	})
}

// formEdit is the change of the configuration the form's fields make.
func (s *settingsScreen) formEdit(baud, pw int, langCode string) func(c *config.Config) {
	sd, ap, op, keyFile, bankFile, bankSer := s.sd.Text, s.ap.Text, s.op.Text, s.keyFile.Text, s.bankFile.Text, s.bankSer.Text
	port, catalog, training, commissions := s.port.Text, s.catalog.Text, s.training.Checked, s.commissions.Text
	return func(c *config.Config) {
		c.Point = config.Point{SD: sd, AP: ap, OP: op}
		if keyFile != "" {
			c.Keys.Secret = keyFile
		}
		if bankFile != "" {
			c.Keys.Bank = bankFile
		}
		if n, err := strconv.ParseUint(bankSer, 10, 32); err == nil && n > 0 {
			c.Keys.BankSerial = uint32(n)
		}
		c.Providers, c.Commissions = catalog, commissions
		c.Fiscal.Port, c.Fiscal.Baud, c.Fiscal.Password = port, baud, uint32(pw)
		c.Language = langCode
		c.Training = training
	}
}

// saved says the settings were saved to file (and what became of the
// passphrase: note) and switches the language when it changed.
func (s *settingsScreen) saved(file, langCode, note string) {
	text := s.u.T("settings.saved", "File", file)
	if note != "" {
		text += "\n" + note
	}
	if langCode != s.u.lang && s.u.speak(langCode) {
		// The window speaks it now; the screen is made anew in it.
		text = s.u.T("settings.saved", "File", file)
		if note != "" {
			text += "\n" + note
		}
		s = s.u.settings
	}
	s.message.SetText(text)
}

// infoText is what Test connection says of the register's Info: the FFD
// version, the registration (INN, RNM, agent roles, tax systems), the
// fiscal drive's expiry and OFD queue, then every mismatch with the
// configuration and every warning of the drive.
func (u *UI) infoText(in fiscal.Info) string {
	now := u.opt.Clock.Now()
	r, d := in.Registration, in.Drive
	lines := []string{u.T("settings.info_ffd", "FFD", in.FFD.String())}
	if r.Known {
		lines = append(lines, u.T("settings.info_reg", "INN", r.INN, "RNM", r.RNM, "Agent", r.Agent.String(), "Tax", r.TaxSystems.String()))
	} else {
		lines = append(lines, u.T("settings.info_reg_unknown"))
	}
	if !d.Expires.IsZero() {
		lines = append(lines, u.T("settings.info_fn", "Date", d.Expires.Format("02.01.2006"), "Days", d.DaysLeft(now)))
	}
	if d.Unsent > 0 {
		since := "—"
		if !d.OldestUnsent.IsZero() {
			since = d.OldestUnsent.Format("02.01.2006 15:04")
		}
		lines = append(lines, u.T("settings.info_ofd", "N", d.Unsent, "First", d.FirstUnsent, "Since", since))
	} else {
		lines = append(lines, u.T("settings.info_ofd_none"))
	}
	for _, m := range u.till.Mismatches(in) {
		lines = append(lines, "• "+m.In(u.lang))
	}
	for _, m := range u.till.DriveWarnings(in) {
		lines = append(lines, "• "+m.In(u.lang))
	}
	return strings.Join(lines, "\n")
}
