'use strict';
// ProductCreate's validation with DRF 3.14's rules and messages, so that a
// 400 from this peer reads as DRF's does.

const MAX_DIGITS = 10;
const DECIMAL_PLACES = 2;
const MAX_NAME = 200;

const TRUE_VALUES = new Set(['t', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE',
  'on', 'On', 'ON', '1']);
const FALSE_VALUES = new Set(['f', 'F', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE',
  'off', 'Off', 'OFF', '0']);

// Python's Decimal() syntax for finite values (underscores between digits
// included); infinities and NaN are rejected by every caller anyway.
const DECIMAL = /^\s*([+-]?)(\d(?:_?\d)*)?(?:\.(\d(?:_?\d)*)?)?(?:[eE]([+-]?\d(?:_?\d)*))?\s*$/;

// Parse text as Python's Decimal does: null when it is not a finite number,
// else the sign, the coefficient's digits (leading zeros dropped, at least
// "0") and the exponent, as Decimal.as_tuple() gives them.
function parseDecimal(text) {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  const whole = (m[2] || '').replace(/_/g, '');
  const fraction = (m[3] || '').replace(/_/g, '');
  const digits = (whole + fraction).replace(/^0+/, '') || '0';
  const exponent = parseInt((m[4] || '0').replace(/_/g, ''), 10) - fraction.length;
  return { negative: m[1] === '-', digits, exponent };
}

// DRF's DecimalField.validate_precision: the first limit broken, or null.
function precisionError(d) {
  let total;
  let places;
  if (d.exponent >= 0) {
    total = d.digits.length + d.exponent;
    places = 0;
  } else if (d.digits.length > -d.exponent) {
    total = d.digits.length;
    places = -d.exponent;
  } else {
    total = -d.exponent;
    places = -d.exponent;
  }
  if (total > MAX_DIGITS) return `Ensure that there are no more than ${MAX_DIGITS} digits in total.`;
  if (places > DECIMAL_PLACES) return `Ensure that there are no more than ${DECIMAL_PLACES} decimal places.`;
  if (total - places > MAX_DIGITS - DECIMAL_PLACES) {
    return `Ensure that there are no more than ${MAX_DIGITS - DECIMAL_PLACES} digits before the decimal point.`;
  }
  return null;
}

// The value with exactly DECIMAL_PLACES places, as DRF's quantize() renders it.
function quantized(d) {
  const padded = d.digits + '0'.repeat(d.exponent + DECIMAL_PLACES);
  const text = padded.padStart(DECIMAL_PLACES + 1, '0');
  const cut = text.length - DECIMAL_PLACES;
  return `${d.negative ? '-' : ''}${text.slice(0, cut)}.${text.slice(cut)}`;
}

function isZero(d) {
  return d.digits === '0';
}

function validatePrice(value) {
  if (value === null) return { error: 'This field may not be null.' };
  const text = typeof value === 'number' ? String(value) : value;
  const d = typeof text === 'string' && text.length <= 1000 ? parseDecimal(text) : null;
  if (!d) return { error: 'A valid number is required.' };
  const limit = precisionError(d);
  if (limit) return { error: limit };
  if (d.negative && !isZero(d)) return { error: 'Ensure this value is greater than or equal to 0.' };
  return { value: quantized(d) };
}

// DRF's CharField(trim_whitespace=True) with its validators.
function validateText(value, { allowBlank, maxLength }) {
  if (value === null) return { error: 'This field may not be null.' };
  if (typeof value !== 'string' && typeof value !== 'number') return { error: 'Not a valid string.' };
  const text = String(value).trim();
  if (text === '') return allowBlank ? { value: '' } : { error: 'This field may not be blank.' };
  const errors = [];
  if (maxLength && [...text].length > maxLength) {
    errors.push(`Ensure this field has no more than ${maxLength} characters.`);
  }
  if (text.includes('\0')) errors.push('Null characters are not allowed.');
  return errors.length ? { errors } : { value: text };
}

function validateBoolean(value) {
  if (value === null) return { error: 'This field may not be null.' };
  if (value === true || value === 1 || TRUE_VALUES.has(value)) return { value: true };
  if (value === false || value === 0 || FALSE_VALUES.has(value)) return { value: false };
  return { error: 'Must be a valid boolean.' };
}

// Field order is the serializer's: the 400 body lists errors in this order.
const FIELDS = [
  ['name', true, undefined, (v) => validateText(v, { allowBlank: false, maxLength: MAX_NAME })],
  ['description', false, '', (v) => validateText(v, { allowBlank: true })],
  ['price', true, undefined, validatePrice],
  ['is_top', false, false, validateBoolean],
];

function typeName(data) {
  if (Array.isArray(data)) return 'list';
  if (data === null) return 'NoneType';
  return { string: 'str', number: Number.isInteger(data) ? 'int' : 'float', boolean: 'bool' }[typeof data];
}

// { value } with every field set, or { errors } as DRF's 400 body.
function validateProductCreate(data) {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${typeName(data)}.`] } };
  }
  const value = {};
  const errors = {};
  for (const [name, required, fallback, check] of FIELDS) {
    if (!(name in data)) {
      if (required) errors[name] = ['This field is required.'];
      else value[name] = fallback;
      continue;
    }
    const result = check(data[name]);
    if (result.error) errors[name] = [result.error];
    else if (result.errors) errors[name] = result.errors;
    else value[name] = result.value;
  }
  return Object.keys(errors).length ? { errors } : { value };
}

module.exports = { validateProductCreate, parseDecimal };
