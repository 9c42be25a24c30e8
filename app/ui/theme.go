package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// highContrast is the default theme with black and white and stronger
// borders, for bright shops and tired eyes.
type highContrast struct{ fyne.Theme }

func (h highContrast) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground:
		return color.White
	case theme.ColorNameForeground, theme.ColorNameInputBorder, theme.ColorNamePlaceHolder:
		return color.Black
	case theme.ColorNamePrimary, theme.ColorNameFocus:
		return color.NRGBA{R: 0x00, G: 0x33, B: 0xAA, A: 0xFF}
	case theme.ColorNameDisabled:
		return color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xFF}
	}
	return h.Theme.Color(n, theme.VariantLight)
}

func (h highContrast) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return h.Theme.Size(n) + 2
	case theme.SizeNameInputBorder:
		return 2
	}
	return h.Theme.Size(n)
}

// SetHighContrast switches between the default and the high-contrast theme.
func SetHighContrast(a fyne.App, on bool) {
	if on {
		a.Settings().SetTheme(highContrast{theme.DefaultTheme()})
	} else {
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}
