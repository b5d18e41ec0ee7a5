// CallBridge on Azure: one Linux App Service runs the bot (/api/messages), the tab (/tab/) and the
// presence workers; a single-tenant Azure Bot routes Teams traffic to it. Key Vault (secrets) and
// PostgreSQL (a shared store, needed as soon as more than one instance runs) are optional.
//
// Every parameter's description starts with the env variable that azure.parameters.json fills it
// from (env/.env.<env>, or SECRET_* in env/.env.<env>.user); the web app receives each value under
// the name bot/src/config/env.ts reads. Written for a current Bicep CLI (0.30 or later: lambdas,
// single-line arrays, multi-line function arguments).

@minLength(4)
@maxLength(40)
@description('"callbridge" + RESOURCE_SUFFIX: base of every resource name, so unique per environment.')
param resourceBaseName string

param location string = resourceGroup().location

// alwaysOn, which the presence workers need, is not available on the Free and Shared tiers.
@allowed(['B1', 'B2', 'B3', 'S1', 'S2', 'S3', 'P0v3', 'P1v3', 'P2v3'])
param webAppSku string = 'B1'

@maxLength(42)
@description('"CallBridge" + APP_NAME_SUFFIX: the Azure Bot display name.')
param botDisplayName string = 'CallBridge'

@description('TEAMS_APP_ID: the Teams app id; cards link to the Call tab with it.')
param teamsAppId string

@description('CALL_DEFAULT_COUNTRY: ISO 3166 alpha-2 country for numbers dialled without a country code.')
param callDefaultCountry string = 'US'

@description('BOT_ID: client id of the bot\'s single-tenant Entra app.')
param botId string

@secure()
@description('SECRET_BOT_PASSWORD: the bot app\'s client secret, served to the app as BOT_PASSWORD.')
param botPassword string

@description('BOT_TENANT_ID: tenant of the bot\'s Entra app.')
param botTenantId string

@description('AAD_APP_CLIENT_ID: the SSO / Microsoft Graph Entra app.')
param aadAppClientId string

@secure()
@description('SECRET_AAD_APP_CLIENT_SECRET: served to the app as AAD_APP_CLIENT_SECRET.')
param aadAppClientSecret string

@description('AAD_APP_TENANT_ID: tenant of the SSO app; its presence also switches the app to live mode.')
param aadAppTenantId string

@description('AAD_APP_OAUTH_AUTHORITY_HOST: Entra sign-in host.')
param aadAppOauthAuthorityHost string = environment().authentication.loginEndpoint

@description('WEBEX_CLIENT_ID: the Webex integration\'s client id.')
param webexClientId string = ''

@secure()
@description('SECRET_WEBEX_CLIENT_SECRET: served to the app as WEBEX_CLIENT_SECRET.')
param webexClientSecret string = ''

@secure()
@description('SECRET_TOKEN_ENCRYPTION_KEYS: the token key ring, "<keyId>:<base64 32-byte key>,...", served as TOKEN_ENCRYPTION_KEYS.')
param tokenEncryptionKeys string

@description('TOKEN_ENCRYPTION_ACTIVE_KEY_ID: which key of the ring seals new tokens.')
param tokenEncryptionActiveKeyId string

@description('Store the secrets in Key Vault and give the app Key Vault references instead of values.')
param enableKeyVault bool = true

@description('Create a PostgreSQL flexible server and set DATABASE_URL; otherwise the app uses SQLite in DATA_DIR.')
param enablePostgres bool = false

param postgresAdminLogin string = 'callbridge'

@secure()
@description('SECRET_POSTGRES_ADMIN_PASSWORD: required when enablePostgres is true.')
param postgresAdminPassword string = ''

var nameSuffix = uniqueString(resourceGroup().id, resourceBaseName)
var keyVaultName = 'kv-${nameSuffix}'
var postgresServerName = 'psql-${nameSuffix}'
var postgresDatabaseName = 'callbridge'
// Public-cloud host name; environment() has no suffix for flexible servers. Computed rather than
// read from the server so that the secret list below is known when the deployment starts.
var postgresHost = '${postgresServerName}.postgres.database.azure.com'
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6' // built-in "Key Vault Secrets User"
var databaseUrl = enablePostgres ? 'postgresql://${uriComponent(postgresAdminLogin)}:${uriComponent(postgresAdminPassword)}@${postgresHost}:5432/${postgresDatabaseName}?sslmode=require' : ''

// The secrets the app reads, by env schema name. Empty ones are skipped everywhere, so an unset
// Webex secret stays unset rather than becoming a Key Vault reference to a missing secret.
var secrets = [
  {
    setting: 'BOT_PASSWORD'
    secretName: 'bot-password'
    value: botPassword
  }
  {
    setting: 'AAD_APP_CLIENT_SECRET'
    secretName: 'aad-app-client-secret'
    value: aadAppClientSecret
  }
  {
    setting: 'WEBEX_CLIENT_SECRET'
    secretName: 'webex-client-secret'
    value: webexClientSecret
  }
  {
    setting: 'TOKEN_ENCRYPTION_KEYS'
    secretName: 'token-encryption-keys'
    value: tokenEncryptionKeys
  }
  {
    setting: 'DATABASE_URL'
    secretName: 'database-url'
    value: databaseUrl
  }
]

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true // Linux
  }
}

// A user-assigned identity exists before the web app, so its Key Vault role is granted before the
// app first resolves its Key Vault references (a system-assigned one is only known afterwards).
resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${resourceBaseName}'
  location: location
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: appIdentity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true
      appCommandLine: 'npm start'
      healthCheckPath: '/healthz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

var botEndpoint = 'https://${webApp.properties.defaultHostName}'

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = if (enableKeyVault) {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
  }
}

resource keyVaultSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for secret in secrets: if (enableKeyVault && !empty(secret.value)) {
    parent: keyVault
    name: secret.secretName
    properties: {
      value: secret.value
    }
  }
]

resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (enableKeyVault) {
  name: guid(resourceGroup().id, keyVaultName, appIdentity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = if (enablePostgres) {
  name: postgresServerName
  location: location
  sku: {
    name: 'Standard_B1ms'
    tier: 'Burstable'
  }
  properties: {
    version: '16'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: {
      storageSizeGB: 32
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
  }
}

resource postgresDatabase 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = if (enablePostgres) {
  parent: postgres
  name: postgresDatabaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// 0.0.0.0 is Azure's marker for "connections from Azure services". App Service outbound addresses
// are shared and can change, so this is the simple option; a private network is the stricter one.
resource postgresAllowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (enablePostgres) {
  parent: postgres
  name: 'AllowAzureServices'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

var secretSettings = toObject(
  filter(secrets, s => !empty(s.value)),
  s => s.setting,
  s => enableKeyVault ? '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${s.secretName})' : s.value
)

// App settings live in their own resource because BOT_ENDPOINT needs the site's host name, which
// the site cannot reference while it is being declared.
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  properties: union(
    {
      CALLBRIDGE_MODE: 'live'
      NODE_ENV: 'production'
      TEAMS_APP_ID: teamsAppId
      CALL_DEFAULT_COUNTRY: callDefaultCountry
      BOT_ID: botId
      BOT_TENANT_ID: botTenantId
      BOT_TYPE: 'SingleTenant'
      BOT_ENDPOINT: botEndpoint
      AAD_APP_CLIENT_ID: aadAppClientId
      AAD_APP_TENANT_ID: aadAppTenantId
      AAD_APP_OAUTH_AUTHORITY_HOST: aadAppOauthAuthorityHost
      WEBEX_CLIENT_ID: webexClientId
      TOKEN_ENCRYPTION_ACTIVE_KEY_ID: tokenEncryptionActiveKeyId
      // /home survives restarts and redeploys; the deployed package itself is read-only.
      DATA_DIR: '/home/callbridge'
      WEBSITE_RUN_FROM_PACKAGE: '1'
    },
    secretSettings
  )
  dependsOn: [
    keyVaultSecrets
    appReadsSecrets
    postgresDatabase
    postgresAllowAzure
  ]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: 'F0' // Teams is a standard channel: free
  }
  properties: {
    displayName: botDisplayName
    endpoint: '${botEndpoint}/api/messages'
    msaAppId: botId
    msaAppType: 'SingleTenant'
    msaAppTenantId: botTenantId
  }
}

resource botTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Teams Toolkit writes each output into env/.env.<env> under the output's name.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = botEndpoint
output AZURE_KEY_VAULT_NAME string = enableKeyVault ? keyVaultName : ''
