"""Payment files from the council's income system: import (all or nothing), automatic matching to notices through
legal.services.payment_record, and the queue of payments an officer decides."""
