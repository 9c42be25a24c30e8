// Package layers holds the test that keeps PayDesk's layering: only the GUI
// packages import Fyne, and the protocol, fiscal, receipts and store layers
// import nothing from the till core (app).
package layers
