import { Provider } from '@nestjs/common';
import { ContactsService } from './contacts.service';
import { CredentialsService } from './credentials.service';
import { OrganisationRegistrationService } from './organisation-registration.service';
import { OrganisationUpdatesService } from './organisation-updates.service';
import { OrganisationViewsService } from './organisation-views.service';
import { PartnerSetupService } from './partner-setup.service';
import { RecipientKeysService } from './recipient-keys.service';
import { OnCallService } from './on-call.service';

/** Partner administration: registration, contacts, updates, keys, credentials and views. */
export const ORGANISATION_PROVIDERS: Provider[] = [
  PartnerSetupService,
  OrganisationRegistrationService,
  ContactsService,
  OrganisationUpdatesService,
  OrganisationViewsService,
  RecipientKeysService,
  CredentialsService,
  OnCallService,
];
