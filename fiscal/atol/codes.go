package atol

import "paydesk/fiscal"

// codes lists every error code of ATOL's protocol 3.1 (docs/atol.md §6) with
// who can fix it; each one's message is fiscal.atol.code.<XX> in the catalogue.
var codes = map[fiscal.Code]fiscal.Kind{
	0:   fiscal.KindOther,    // 00h no error
	8:   fiscal.KindProgram,  // 08h wrong price
	10:  fiscal.KindProgram,  // 0Ah wrong quantity
	11:  fiscal.KindAdmin,    // 0Bh cash counter overflow
	12:  fiscal.KindProgram,  // 0Ch the last operation cannot be reversed
	13:  fiscal.KindProgram,  // 0Dh reversal by code is not possible
	14:  fiscal.KindProgram,  // 0Eh the last operation cannot be repeated
	15:  fiscal.KindProgram,  // 0Fh a second discount is not possible
	16:  fiscal.KindProgram,  // 10h no discount or surcharge on the previous operation
	17:  fiscal.KindProgram,  // 11h wrong goods code
	18:  fiscal.KindProgram,  // 12h wrong goods barcode
	19:  fiscal.KindProgram,  // 13h wrong format
	20:  fiscal.KindProgram,  // 14h wrong length
	21:  fiscal.KindAdmin,    // 15h blocked in date entry mode
	22:  fiscal.KindAdmin,    // 16h the date entered must be confirmed
	24:  fiscal.KindProgram,  // 18h no more data to send
	25:  fiscal.KindProgram,  // 19h the sale registration was neither confirmed nor cancelled
	26:  fiscal.KindOperator, // 1Ah the Z report was interrupted
	27:  fiscal.KindAdmin,    // 1Bh cash control cannot be switched off (payment types not set up)
	30:  fiscal.KindAdmin,    // 1Eh entering the mode is blocked
	31:  fiscal.KindAdmin,    // 1Fh check the date and time
	32:  fiscal.KindAdmin,    // 20h the register's date and time are earlier than the fiscal drive's
	33:  fiscal.KindAdmin,    // 21h error closing the archive
	61:  fiscal.KindProgram,  // 3Dh goods not found
	62:  fiscal.KindProgram,  // 3Eh a weight barcode with a quantity other than 1.000
	63:  fiscal.KindProgram,  // 3Fh receipt buffer overflow
	64:  fiscal.KindProgram,  // 40h not enough goods
	65:  fiscal.KindProgram,  // 41h the quantity reversed exceeds the quantity sold
	66:  fiscal.KindProgram,  // 42h the blocked goods are not in the receipt buffer
	67:  fiscal.KindProgram,  // 43h these goods were not sold in the receipt: no reversal
	70:  fiscal.KindProgram,  // 46h wrong command from the register
	102: fiscal.KindProgram,  // 66h the command is not available in this mode
	103: fiscal.KindOperator, // 67h no paper
	104: fiscal.KindOperator, // 68h no link with the receipt printer
	105: fiscal.KindOperator, // 69h printer mechanism error
	106: fiscal.KindProgram,  // 6Ah wrong receipt type
	107: fiscal.KindProgram,  // 6Bh no more lines of the picture or barcode
	108: fiscal.KindProgram,  // 6Ch wrong register number
	109: fiscal.KindProgram,  // 6Dh target device not allowed
	110: fiscal.KindProgram,  // 6Eh no room for pictures or barcodes
	111: fiscal.KindProgram,  // 6Fh wrong picture or barcode number (none there)
	112: fiscal.KindProgram,  // 70h the reversal exceeds what was taken by this payment type
	113: fiscal.KindProgram,  // 71h non-cash payments exceed the receipt total
	114: fiscal.KindProgram,  // 72h payments are less than the receipt total
	115: fiscal.KindProgram,  // 73h the accumulated sum is less than the return or annulment
	117: fiscal.KindProgram,  // 75h payment sum overflow
	118: fiscal.KindOperator, // 76h the previous operation is not finished
	119: fiscal.KindAdmin,    // 77h GSM module error
	122: fiscal.KindProgram,  // 7Ah this register model cannot execute the command
	123: fiscal.KindProgram,  // 7Bh wrong discount or surcharge
	124: fiscal.KindProgram,  // 7Ch no operation after a discount or surcharge
	125: fiscal.KindProgram,  // 7Dh wrong department
	126: fiscal.KindProgram,  // 7Eh wrong payment type
	127: fiscal.KindProgram,  // 7Fh overflow in multiplication
	128: fiscal.KindAdmin,    // 80h the operation is forbidden in the settings table
	129: fiscal.KindProgram,  // 81h receipt total overflow
	130: fiscal.KindOperator, // 82h an annulment receipt is open: not possible
	132: fiscal.KindAdmin,    // 84h control tape buffer overflow
	134: fiscal.KindProgram,  // 86h the customer's payment is less than the receipt total
	135: fiscal.KindOperator, // 87h a return receipt is open: not possible
	136: fiscal.KindZReport,  // 88h the shift is over 24 hours
	137: fiscal.KindOperator, // 89h a sale receipt is open: not possible
	138: fiscal.KindAdmin,    // 8Ah fiscal memory overflow
	140: fiscal.KindAdmin,    // 8Ch wrong password
	141: fiscal.KindProgram,  // 8Dh the control tape buffer is not full
	142: fiscal.KindOperator, // 8Eh the control tape is being processed
	143: fiscal.KindOperator, // 8Fh the register is zeroed (no second Z report)
	145: fiscal.KindProgram,  // 91h wrong table number
	146: fiscal.KindProgram,  // 92h wrong row number
	147: fiscal.KindProgram,  // 93h wrong field number
	148: fiscal.KindAdmin,    // 94h wrong date
	149: fiscal.KindAdmin,    // 95h wrong time
	150: fiscal.KindProgram,  // 96h the department's receipt sum is less than the reversal
	151: fiscal.KindProgram,  // 97h change cannot be computed
	152: fiscal.KindOperator, // 98h not enough cash in the register
	154: fiscal.KindProgram,  // 9Ah the receipt is closed: not possible
	155: fiscal.KindOperator, // 9Bh a receipt is open: not possible
	156: fiscal.KindOperator, // 9Ch the shift is open: not possible
	158: fiscal.KindAdmin,    // 9Eh the serial number or MAC address is set already
	159: fiscal.KindAdmin,    // 9Fh no re-registrations left
	162: fiscal.KindProgram,  // A2h wrong shift number
	163: fiscal.KindProgram,  // A3h wrong report type
	164: fiscal.KindAdmin,    // A4h password not allowed
	165: fiscal.KindAdmin,    // A5h serial number not allowed
	166: fiscal.KindAdmin,    // A6h registration number not allowed
	167: fiscal.KindAdmin,    // A7h INN not allowed
	168: fiscal.KindAdmin,    // A8h the register is not registered (fiscalized)
	169: fiscal.KindAdmin,    // A9h no serial number set
	170: fiscal.KindProgram,  // AAh no reports
	171: fiscal.KindAdmin,    // ABh the mode is not activated
	172: fiscal.KindProgram,  // ACh no such receipt in the electronic journal
	173: fiscal.KindProgram,  // ADh no more records in the electronic journal
	174: fiscal.KindAdmin,    // AEh wrong protection code or its number
	175: fiscal.KindProgram,  // AFh no data in the register's buffer
	176: fiscal.KindAdmin,    // B0h a general reset is needed
	177: fiscal.KindAdmin,    // B1h the protection codes entered do not allow the command
	178: fiscal.KindProgram,  // B2h the discount or surcharge cannot be cancelled
	179: fiscal.KindProgram,  // B3h this payment type cannot close the receipt (operations without cash control)
	180: fiscal.KindProgram,  // B4h wrong route number
	181: fiscal.KindProgram,  // B5h wrong start zone number
	182: fiscal.KindProgram,  // B6h wrong end zone number
	183: fiscal.KindProgram,  // B7h wrong tariff type
	184: fiscal.KindProgram,  // B8h wrong tariff
	186: fiscal.KindAdmin,    // BAh error exchanging with the fiscal module
	190: fiscal.KindAdmin,    // BEh maintenance is due
	191: fiscal.KindAdmin,    // BFh the shift numbers of the register and the fiscal drive differ
	200: fiscal.KindProgram,  // C8h no device handles this command
	201: fiscal.KindAdmin,    // C9h no link with the external device
	202: fiscal.KindProgram,  // CAh fuel dispenser in a wrong state
	203: fiscal.KindProgram,  // CBh more than one registration in the receipt
	204: fiscal.KindProgram,  // CCh wrong fuel dispenser number
	205: fiscal.KindProgram,  // CDh wrong divisor
	208: fiscal.KindAdmin,    // D0h this fiscal drive cannot be activated in this register
	209: fiscal.KindOperator, // D1h printer head overheated
	210: fiscal.KindAdmin,    // D2h I2C error exchanging with the fiscal drive
	211: fiscal.KindAdmin,    // D3h fiscal drive transfer format error
	212: fiscal.KindAdmin,    // D4h wrong fiscal drive state
	213: fiscal.KindAdmin,    // D5h unrecoverable fiscal drive error
	214: fiscal.KindAdmin,    // D6h fiscal drive crypto-processor error
	215: fiscal.KindAdmin,    // D7h the fiscal drive has expired
	216: fiscal.KindAdmin,    // D8h the fiscal drive's archive is full
	217: fiscal.KindAdmin,    // D9h wrong date or time given to the fiscal drive
	218: fiscal.KindProgram,  // DAh the fiscal drive has no such data
	219: fiscal.KindProgram,  // DBh fiscal drive overflow (receipt total)
	220: fiscal.KindProgram,  // DCh buffer overflow
	221: fiscal.KindProgram,  // DDh a second fiscal copy cannot be printed
	223: fiscal.KindProgram,  // DFh the tax exceeds the receipt's registrations or the total exceeds the registration
	224: fiscal.KindProgram,  // E0h no tax on the last operation
	225: fiscal.KindAdmin,    // E1h wrong fiscal drive number
	228: fiscal.KindProgram,  // E4h the tax reversed exceeds the tax registered of this type
	230: fiscal.KindOperator, // E6h not possible: not enough power
	231: fiscal.KindProgram,  // E7h wrong parameters of a fiscal drive command
	232: fiscal.KindProgram,  // E8h fiscal drive TLV data too large
	233: fiscal.KindAdmin,    // E9h no transport connection of the fiscal drive
	234: fiscal.KindAdmin,    // EAh the fiscal drive's crypto-processor is worn out
	235: fiscal.KindAdmin,    // EBh no room left for documents waiting for the OFD
	236: fiscal.KindAdmin,    // ECh the fiscal drive cannot accept the OFD's message
	237: fiscal.KindAdmin,    // EDh the fiscal drive has documents not sent to the OFD
	238: fiscal.KindAdmin,    // EEh read the extended error code in register 55
	239: fiscal.KindAdmin,    // EFh the wait for sending a message to the fiscal drive is over
	240: fiscal.KindZReport,  // F0h the fiscal drive's shift is over 24 hours
	241: fiscal.KindAdmin,    // F1h wrong time difference between two fiscal drive operations
	242: fiscal.KindProgram,  // F2h wrong command
	243: fiscal.KindProgram,  // F3h too many items in the document
	244: fiscal.KindProgram,  // F4h no data in the command
	245: fiscal.KindProgram,  // F5h sale of excise goods
	246: fiscal.KindProgram,  // F6h the receipt is larger than allowed
}
