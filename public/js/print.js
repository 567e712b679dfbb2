// The printable list opens the browser's print dialog once it is shown.
window.addEventListener('load', () => window.print());
