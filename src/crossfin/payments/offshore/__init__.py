"""P4: offshore trade (离岸转手买卖) background checks and their authenticity reports."""
