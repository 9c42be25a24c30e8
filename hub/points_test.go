package hub

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/i18n"
)

func TestRegister(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	h := w.hub
	for _, c := range []struct {
		name string
		do   func() error
		kind Kind
	}{
		{"partner id", func() error { return h.AddPartner(ctx, Partner{ID: "a b"}) }, KindInput},
		{"partner twice", func() error { return h.AddPartner(ctx, Partner{ID: "north"}) }, KindExists},
		{"point id", func() error { return h.AddPoint(ctx, Point{ID: "", Partner: "north", Key: keyFile(t, dealer)}) }, KindInput},
		{"point twice", func() error { return h.AddPoint(ctx, Point{ID: "P1", Partner: "north", Key: keyFile(t, dealer)}) }, KindExists},
		{"point of nobody", func() error { return h.AddPoint(ctx, Point{ID: "P3", Partner: "west", Key: keyFile(t, dealer)}) }, KindNotFound},
		{"point without key", func() error { return h.AddPoint(ctx, Point{ID: "P3", Partner: "north", Key: []byte("junk")}) }, KindInput},
		{"point key serial", func() error {
			return h.AddPoint(ctx, Point{ID: "P3", Partner: "north", Key: keyFile(t, dealer), Serial: 1})
		}, KindInput},
		{"point zone", func() error {
			return h.AddPoint(ctx, Point{ID: "P3", Partner: "north", Key: keyFile(t, dealer), TZ: "Mars/Olympus"})
		}, KindInput},
		{"short password", func() error {
			return h.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "north"}, "1234567")
		}, KindInput},
		{"role", func() error { return h.AddUser(ctx, User{Login: "ivan", Role: "admin", Partner: "north"}, "12345678") }, KindInput},
		{"manager without point", func() error {
			return h.AddUser(ctx, User{Login: "ivan", Role: RoleManager, Partner: "north"}, "12345678")
		}, KindInput},
		{"manager of another's point", func() error {
			return h.AddUser(ctx, User{Login: "ivan", Role: RoleManager, Partner: "north", Point: "P2"}, "12345678")
		}, KindNotFound},
		{"user of nobody", func() error {
			return h.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "west"}, "12345678")
		}, KindNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.do()
			require.ErrorIs(t, err, c.kind)
			var he *Error
			require.ErrorAs(t, err, &he)
			for _, lang := range []string{i18n.RU, i18n.EN} {
				assert.NotContains(t, he.Msg().In(lang), "hub.kind", lang)
			}
		})
	}
	points, err := h.Points(ctx, "north")
	require.NoError(t, err)
	require.Len(t, points, 1, "nothing was added by the refusals")
	assert.Equal(t, "P1", points[0].ID)
	assert.Equal(t, DefaultTZ, points[0].TZ)
	assert.Equal(t, dealer.Serial, points[0].Serial)

	require.NoError(t, h.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "north"}, "correct horse"))
	require.NoError(t, h.AddUser(ctx, User{Login: "olga", Role: RoleManager, Partner: "north", Point: "P1"}, "battery staple"))
	assert.ErrorIs(t, h.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "south"}, "12345678"), KindExists)

	u, err := h.SignIn(ctx, "ivan", "correct horse")
	require.NoError(t, err)
	assert.Equal(t, &User{Login: "ivan", Role: RolePartner, Partner: "north"}, u)
	u, err = h.SignIn(ctx, "olga", "battery staple")
	require.NoError(t, err)
	assert.Equal(t, &User{Login: "olga", Role: RoleManager, Partner: "north", Point: "P1"}, u)
	for _, c := range [][2]string{{"ivan", "battery staple"}, {"nobody", "correct horse"}, {"ivan", ""}} {
		_, err := h.SignIn(ctx, c[0], c[1])
		assert.ErrorIs(t, err, KindSignIn, c[0])
	}
	var hash string
	require.NoError(t, w.db.QueryRow(ctx, "SELECT password_hash FROM users WHERE login = 'ivan'").Scan(&hash))
	assert.NotContains(t, hash, "correct horse")
	assert.Regexp(t, `^\$2a\$`, hash, "a bcrypt hash")
}
